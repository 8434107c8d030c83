import type { RuleView } from '../logic/network-forms.js';
import { call } from './cloud.js';
import type { Session } from './session.js';

export interface Network {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly shared: boolean;
  readonly subnets: readonly string[];
  readonly project_id: string;
}

export interface Subnet {
  readonly id: string;
  readonly name: string;
  readonly network_id: string;
  readonly cidr: string;
  readonly ip_version: number;
  readonly gateway_ip: string | null;
  readonly enable_dhcp: boolean;
}

export interface Router {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly external_gateway_info: {
    readonly network_id: string;
    readonly external_fixed_ips?: readonly { readonly subnet_id: string; readonly ip_address: string }[];
  } | null;
}

export interface Port {
  readonly id: string;
  readonly name: string;
  readonly device_id: string;
  readonly device_owner: string;
  readonly network_id: string;
  readonly fixed_ips: readonly { readonly subnet_id: string; readonly ip_address: string }[];
}

export interface SecurityGroupRule extends RuleView {
  readonly id: string;
}

export interface SecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly security_group_rules: readonly SecurityGroupRule[];
}

export interface FloatingIp {
  readonly id: string;
  readonly floating_ip_address: string;
  readonly floating_network_id: string;
  readonly fixed_ip_address: string | null;
  readonly port_id: string | null;
  readonly status: string;
}

/** One Neutron call (`/v2.0/...`) with the session's token. */
export function neutron<T>(s: Session, path: string, method = 'GET', body?: unknown): Promise<T> {
  return call<T>(s, 'network', `/v2.0${path}`, { method, ...(body === undefined ? {} : { body }) });
}

export const listNetworks = async (s: Session, query = '') => (await neutron<{ networks: Network[] }>(s, `/networks${query}`)).networks;
/** Networks a router's gateway and floating IPs come from (a filter any user may use, as `network list --external` does). */
export const listExternalNetworks = (s: Session) => listNetworks(s, '?router:external=true');
export const listSubnets = async (s: Session) => (await neutron<{ subnets: Subnet[] }>(s, '/subnets')).subnets;
export const listRouters = async (s: Session) => (await neutron<{ routers: Router[] }>(s, '/routers')).routers;
export const listPorts = async (s: Session, query: string) => (await neutron<{ ports: Port[] }>(s, `/ports${query}`)).ports;
export const listSecurityGroups = async (s: Session) => (await neutron<{ security_groups: SecurityGroup[] }>(s, '/security-groups')).security_groups;
export const listFloatingIps = async (s: Session) => (await neutron<{ floatingips: FloatingIp[] }>(s, '/floatingips')).floatingips;
