/**
 * What compute asks of the network service (Nova's nova/network/neutron.py talks to Neutron's
 * REST API through neutronclient): ports, networks and floating IPs in Neutron's own field names.
 * `forUser` acts with the token of the request being served (visibility and policy are the
 * caller's; the service user's goes beside it as Nova's service token); `forService` with the
 * service user's (admin) token, for what Neutron allows only an admin (port bindings) and for work
 * no user asked for.
 */
import type { RequestContext } from '../../common/context/request-context.js';

export interface NeutronFixedIp {
  readonly subnet_id: string;
  readonly ip_address: string;
}

export interface NeutronPort {
  readonly id: string;
  readonly name: string;
  readonly network_id: string;
  readonly project_id: string;
  readonly mac_address: string;
  readonly device_id: string;
  readonly device_owner: string;
  readonly status: string;
  readonly admin_state_up: boolean;
  readonly fixed_ips: readonly NeutronFixedIp[];
  readonly security_groups: readonly string[];
  readonly 'binding:host_id'?: string;
  readonly 'binding:vif_type'?: string;
  readonly 'binding:vif_details'?: Readonly<Record<string, unknown>>;
}

export interface NeutronNetwork {
  readonly id: string;
  readonly name: string;
  readonly project_id: string;
  readonly status: string;
  readonly admin_state_up: boolean;
  readonly shared: boolean;
  readonly 'router:external'?: boolean;
  readonly mtu?: number;
  readonly subnets: readonly string[];
}

export interface NeutronSubnet {
  readonly id: string;
  readonly network_id: string;
  readonly cidr: string;
  readonly ip_version: 4 | 6;
  readonly gateway_ip: string | null;
}

export interface NeutronFloatingIp {
  readonly id: string;
  readonly floating_ip_address: string;
  readonly floating_network_id: string;
  readonly port_id: string | null;
  readonly fixed_ip_address: string | null;
  readonly project_id: string;
}

export interface NeutronSecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly project_id: string;
  readonly security_group_rules: readonly Readonly<Record<string, unknown>>[];
}

/** Nova's two reads for the groups a server view names: the devices' ports with their groups' ids, then the names of those groups. */
export interface NeutronDeviceSecurityGroups {
  readonly ports: readonly Pick<NeutronPort, 'device_id' | 'security_groups'>[];
  /** The groups the caller may see (another's is left out, as Neutron's list leaves it out). */
  readonly groups: readonly Pick<NeutronSecurityGroup, 'id' | 'name'>[];
}

/** Query parameters of a Neutron list: each value a single filter or a list of alternatives. */
export type NeutronQuery = Readonly<Record<string, string | boolean | readonly string[]>>;

/** Calls under one identity. Faults come back as typed errors carrying Neutron's status and message. */
export interface NeutronSession {
  getNetwork(id: string): Promise<NeutronNetwork>;
  listNetworks(query: NeutronQuery): Promise<NeutronNetwork[]>;
  listSubnets(query: NeutronQuery): Promise<NeutronSubnet[]>;
  getPort(id: string): Promise<NeutronPort>;
  listPorts(query: NeutronQuery): Promise<NeutronPort[]>;
  createPort(port: Readonly<Record<string, unknown>>): Promise<NeutronPort>;
  updatePort(id: string, port: Readonly<Record<string, unknown>>): Promise<NeutronPort>;
  /** Deleting a port already gone is not an error (Nova's _delete_ports ignores PortNotFound). */
  deletePort(id: string): Promise<void>;
  listFloatingIps(query: NeutronQuery): Promise<NeutronFloatingIp[]>;
  listSecurityGroups(query: NeutronQuery): Promise<NeutronSecurityGroup[]>;
  /** The ports of `deviceIds` and their groups' names (over REST: a port list, then a group list, of only the fields used). */
  deviceSecurityGroups(deviceIds: readonly string[]): Promise<NeutronDeviceSecurityGroups>;
  /** Any other Neutron call (Nova's proxy APIs): the parsed JSON answer, null for 204. */
  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<unknown>;
}

export interface NeutronApi {
  /** `[neutron] default_floating_pool`: the external network (name or id) the floating IP proxy allocates from when no pool is named. */
  readonly defaultFloatingPool: string;
  forUser(context: RequestContext): NeutronSession;
  forService(context: RequestContext): NeutronSession;
}
