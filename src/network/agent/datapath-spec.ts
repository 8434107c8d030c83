/**
 * What the network agent is told to wire: the desired state of networks, ports, security groups
 * and routers on this host. Field names follow Neutron's API rows (snake_case as the API sends
 * them), so the server side maps a row to a spec field by field.
 */

export type NetworkType = 'flat' | 'vlan' | 'vxlan' | 'local';

export interface AllocationPool {
  readonly start: string;
  readonly end: string;
}

export interface HostRoute {
  readonly destination: string;
  readonly nexthop: string;
}

export interface SubnetSpec {
  readonly id: string;
  readonly ip_version: 4 | 6;
  readonly cidr: string;
  readonly gateway_ip: string | null;
  readonly enable_dhcp: boolean;
  readonly allocation_pools: readonly AllocationPool[];
  readonly dns_nameservers: readonly string[];
  readonly host_routes: readonly HostRoute[];
  /**
   * No router holds the subnet's gateway address (Neutron's isolated subnet): its guests reach
   * the metadata service through the network's DHCP namespace. A routed subnet's guests reach it
   * through their router's namespace, by their default route.
   */
  readonly isolated: boolean;
}

export interface FixedIp {
  readonly subnet_id: string;
  readonly ip_address: string;
}

/** The port Neutron gives a network's DHCP server (device_owner `network:dhcp`). */
export interface DhcpPortSpec {
  readonly id: string;
  readonly mac_address: string;
  readonly fixed_ips: readonly FixedIp[];
}

export interface NetworkSpec {
  readonly id: string;
  readonly network_type: NetworkType;
  /** The VLAN id or VNI; null for flat and local networks. */
  readonly segmentation_id: number | null;
  /**
   * A flat or vlan network's physical network (`provider:physical_network`): where the host maps
   * it to an interface, the network's bridge holds that interface (flat) or its 802.1q
   * subinterface (vlan). Null or absent: the network stays on the host.
   */
  readonly physical_network?: string | null;
  readonly mtu: number;
  readonly subnets: readonly SubnetSpec[];
  /** Where DHCP is served from; null when no subnet of the network has DHCP. */
  readonly dhcp_port: DhcpPortSpec | null;
}

/**
 * A port of a VXLAN network on another host (Neutron's l2population entry): frames to its MAC
 * go to that host's tunnel endpoint only, and its addresses are answered locally where the
 * host runs an ARP responder.
 */
export interface RemotePortSpec {
  readonly mac_address: string;
  readonly ip_addresses: readonly string[];
  /** The tunnel endpoint of the host the port is bound to. */
  readonly tunnel_ip: string;
}

/** A port's MAC and one of its addresses, as Neutron's l2population PortInfo goes on the wire. */
export type MacAddressPair = readonly [mac_address: string, ip_address: string];

/**
 * Neutron's l2population `chg_ip` for one endpoint: ports behind `tunnel_ip` lost the `before`
 * addresses and gained the `after` ones (a fixed IP changed on the same host).
 */
export interface TunnelAddressChange {
  readonly tunnel_ip: string;
  readonly before: readonly MacAddressPair[];
  readonly after: readonly MacAddressPair[];
}

export interface AllowedAddressPair {
  /** An address or a CIDR. */
  readonly ip_address: string;
  /** The port's own MAC when absent. */
  readonly mac_address?: string;
}

export interface PortSpec {
  readonly id: string;
  readonly network_id: string;
  readonly mac_address: string;
  readonly fixed_ips: readonly FixedIp[];
  readonly security_groups: readonly string[];
  readonly port_security_enabled: boolean;
  readonly allowed_address_pairs: readonly AllowedAddressPair[];
  readonly device_owner: string;
  /** The guest's hostname, for its DHCP host entry; `host-<ip>` when null, as Neutron writes it. */
  readonly dns_name?: string | null;
}

export type Direction = 'ingress' | 'egress';
export type EtherType = 'IPv4' | 'IPv6';

export interface SecurityGroupRuleSpec {
  readonly id: string;
  readonly direction: Direction;
  readonly ethertype: EtherType;
  /** `tcp`, `udp`, `icmp`, `ipv6-icmp` (or `icmpv6`), a protocol number as text, or null for any. */
  readonly protocol: string | null;
  /** For ICMP: the type. */
  readonly port_range_min: number | null;
  /** For ICMP: the code. */
  readonly port_range_max: number | null;
  readonly remote_ip_prefix: string | null;
  readonly remote_group_id: string | null;
}

export interface SecurityGroupSpec {
  readonly id: string;
  readonly rules: readonly SecurityGroupRuleSpec[];
}

export interface RouterInterfaceSpec {
  /** The router's port on the subnet (device_owner `network:router_interface`). */
  readonly port_id: string;
  readonly network_id: string;
  readonly subnet_id: string;
  readonly mac_address: string;
  /** The subnet's gateway address, which the router takes. */
  readonly ip_address: string;
  /** The subnet's CIDR, which gives the prefix length. */
  readonly cidr: string;
}

export interface ExternalGatewaySpec {
  readonly port_id: string;
  readonly network_id: string;
  readonly mac_address: string;
  readonly ip_address: string;
  readonly cidr: string;
  /** The external subnet's gateway, the router's default route; null leaves it without one. */
  readonly gateway_ip: string | null;
  readonly enable_snat: boolean;
}

export interface FloatingIpSpec {
  readonly floating_ip_address: string;
  readonly fixed_ip_address: string;
}

export interface RouterSpec {
  readonly id: string;
  readonly interfaces: readonly RouterInterfaceSpec[];
  readonly external_gateway: ExternalGatewaySpec | null;
}

/** The networks a router has an end on. */
export function routerNetworks(router: RouterSpec): string[] {
  return [...router.interfaces.map((end) => end.network_id), ...(router.external_gateway === null ? [] : [router.external_gateway.network_id])];
}

/**
 * The subnets whose guests DHCP routes to 169.254.169.254 through the DHCP port (Neutron's DHCP
 * agent with enable_isolated_metadata): the isolated IPv4 subnets with DHCP, or every one of them
 * with `force` (force_metadata). None: the DHCP namespace serves no metadata.
 */
export function dhcpMetadataSubnets(network: NetworkSpec, force: boolean): SubnetSpec[] {
  return network.subnets.filter((subnet) => subnet.enable_dhcp && subnet.ip_version === 4 && (force || subnet.isolated));
}

/** Whether the port gets anti-spoofing and security group rules: not when port security is off, nor for the network's own ports (`network:*` owners: DHCP, router ends), which Neutron's firewall drivers leave alone. */
export function hasPortSecurity(port: PortSpec): boolean {
  return port.port_security_enabled && !port.device_owner.startsWith('network:');
}
