/** Specs for tests and benchmarks: fresh random ids (so kernel names are unique per run) and addresses in a /24 of the caller's choice. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { NetworkSpec, PortSpec, RouterSpec, SecurityGroupRuleSpec, SecurityGroupSpec } from '../datapath-spec.js';

export function randomMac(): string {
  return ['fa', '16', '3e', ...[...randomBytes(3)].map((byte) => byte.toString(16).padStart(2, '0'))].join(':');
}

export interface NetworkFixture {
  readonly spec: NetworkSpec;
  /** The /24's first three octets, e.g. `10.91.3`. */
  readonly prefix: string;
  readonly subnetId: string;
}

/** A flat network with one IPv4 /24 subnet: gateway `.1`, DHCP server `.2` when `dhcp`. */
export function networkFixture(prefix: string, options: { readonly dhcp?: boolean; readonly mtu?: number; readonly dns?: readonly string[] } = {}): NetworkFixture {
  const subnetId = randomUUID();
  const dhcp = options.dhcp ?? true;
  const spec: NetworkSpec = {
    id: randomUUID(),
    network_type: 'flat',
    segmentation_id: null,
    mtu: options.mtu ?? 1500,
    subnets: [
      {
        id: subnetId,
        ip_version: 4,
        cidr: `${prefix}.0/24`,
        gateway_ip: `${prefix}.1`,
        enable_dhcp: dhcp,
        allocation_pools: [{ start: `${prefix}.10`, end: `${prefix}.250` }],
        dns_nameservers: options.dns ?? [],
        host_routes: [],
        isolated: true,
      },
    ],
    dhcp_port: dhcp ? { id: randomUUID(), mac_address: randomMac(), fixed_ips: [{ subnet_id: subnetId, ip_address: `${prefix}.2` }] } : null,
  };
  return { spec, prefix, subnetId };
}

export function portFixture(network: NetworkFixture, host: number, options: Partial<Pick<PortSpec, 'security_groups' | 'port_security_enabled' | 'allowed_address_pairs'>> = {}): PortSpec {
  return {
    id: randomUUID(),
    network_id: network.spec.id,
    mac_address: randomMac(),
    fixed_ips: [{ subnet_id: network.subnetId, ip_address: `${network.prefix}.${host}` }],
    security_groups: options.security_groups ?? [],
    port_security_enabled: options.port_security_enabled ?? true,
    allowed_address_pairs: options.allowed_address_pairs ?? [],
    device_owner: 'compute:nova',
    dns_name: null,
  };
}

export function ruleFixture(direction: SecurityGroupRuleSpec['direction'], fields: Partial<Omit<SecurityGroupRuleSpec, 'id' | 'direction'>> = {}): SecurityGroupRuleSpec {
  return {
    id: randomUUID(),
    direction,
    ethertype: fields.ethertype ?? 'IPv4',
    protocol: fields.protocol ?? null,
    port_range_min: fields.port_range_min ?? null,
    port_range_max: fields.port_range_max ?? null,
    remote_ip_prefix: fields.remote_ip_prefix ?? null,
    remote_group_id: fields.remote_group_id ?? null,
  };
}

/** Neutron's `default` group: all egress, ingress only from members of the group. */
export function defaultGroupFixture(id: string = randomUUID()): SecurityGroupSpec {
  return {
    id,
    rules: [ruleFixture('egress'), ruleFixture('egress', { ethertype: 'IPv6' }), ruleFixture('ingress', { remote_group_id: id }), ruleFixture('ingress', { ethertype: 'IPv6', remote_group_id: id })],
  };
}

/** A router joining an internal network's subnet (at its gateway) to an external network at `.<gatewayHost>`. */
export function routerFixture(internal: NetworkFixture, external: NetworkFixture | null, gatewayHost = 5): RouterSpec {
  return {
    id: randomUUID(),
    interfaces: [
      { port_id: randomUUID(), network_id: internal.spec.id, subnet_id: internal.subnetId, mac_address: randomMac(), ip_address: `${internal.prefix}.1`, cidr: `${internal.prefix}.0/24` },
    ],
    external_gateway:
      external === null
        ? null
        : {
            port_id: randomUUID(),
            network_id: external.spec.id,
            mac_address: randomMac(),
            ip_address: `${external.prefix}.${gatewayHost}`,
            cidr: `${external.prefix}.0/24`,
            gateway_ip: null,
            enable_snat: true,
          },
  };
}
