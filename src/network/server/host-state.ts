/**
 * What a host's network agent should hold, built from the network tables in the data path's
 * terms (agent/datapath-spec.ts), and which hosts must hear of a change. A host holds a network
 * when a port bound to it is on the network, or when it is the l3 host and a router has an end
 * there; it serves DHCP for every network it holds (Neutron's DHCP agent scheduled beside each
 * Linux bridge agent), and which other hosts' tunnel endpoints and ports it reaches a VXLAN
 * network's through.
 */
import type { DhcpPortSpec, MacAddressPair, NetworkSpec, NetworkType, PortSpec, RemotePortSpec, RouterSpec, SecurityGroupSpec, SubnetSpec } from '../agent/datapath-spec.js';
import type { AddressChangeEntry, UpdateFdbEntries } from '../agent/rpc-api.js';
import type { NetworkStore } from '../db/network-store.js';
import type { PortPlacement } from '../db/store/port-placement-rows.js';
import type { ResourceRow } from '../db/store/resource-rows.js';
import { LINUX_BRIDGE_AGENT } from '../plugin/agents.js';
import { parseJson } from '../plugin/standard-attributes.js';
import type { HostState, RouterFloatingIp, RouterState, TunnelPeers } from './rpc-api.js';
import { ROUTER_INTERFACE_OWNERS } from '../plugin/routers.js';

type PortRow = ResourceRow<'net_ports'>;

/** A VXLAN network as its tunnel entries see it: who holds it, each host's endpoint, each port's host and addresses. */
interface TunnelView {
  readonly networkId: string;
  readonly holders: readonly string[];
  readonly endpoints: ReadonlyMap<string, string>;
  readonly ports: readonly { readonly host: string; readonly mac_address: string; readonly ip_addresses: readonly string[] }[];
}

/** The entries `hosts` need: the other holders' endpoints (never one of their own) and the ports behind them. */
function tunnelPeersOf(view: TunnelView, hosts: readonly string[]): TunnelPeers {
  const own = new Set(hosts.flatMap((host) => view.endpoints.get(host) ?? []));
  const endpoints = new Map<string, string>();
  for (const host of view.holders.filter((other) => !hosts.includes(other))) {
    const endpoint = view.endpoints.get(host);
    if (endpoint !== undefined && !own.has(endpoint)) endpoints.set(host, endpoint);
  }
  const ports: RemotePortSpec[] = [];
  for (const port of view.ports) {
    const endpoint = endpoints.get(port.host);
    if (endpoint !== undefined) ports.push({ mac_address: port.mac_address, ip_addresses: [...port.ip_addresses], tunnel_ip: endpoint });
  }
  ports.sort((a, b) => a.mac_address.localeCompare(b.mac_address));
  return { network_id: view.networkId, peers: [...new Set(endpoints.values())].sort(), ports };
}

/** What a port's l2population entries are made of. */
export interface TunnelPort {
  readonly id: string;
  readonly mac_address: string;
  readonly device_owner: string;
}

/** A router's end as a port of its network (HostStateBuilder.routerEnds). */
export interface RouterEnd extends TunnelPort {
  readonly network_id: string;
  /** Its fixed IPs, to tell an end whose addresses changed (a port update) from one that stayed. */
  readonly ip_addresses: readonly string[];
}

/** How one port's addresses changed on its host (HostStateBuilder.portAddressEntries). */
export interface PortAddressChange {
  /** The network's holders: those that hear it. */
  readonly holders: readonly string[];
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly networkType?: NetworkType;
}

/** How one port's l2population entries changed (HostStateBuilder.portTunnelEntries). */
export interface PortTunnelChange {
  /** The network's holders after the change: those that hear it. */
  readonly holders: readonly string[];
  /** The port's host came to hold the network, or let it go: its endpoint is a flooding peer of the change. */
  readonly flooding: boolean;
  /** The port's addresses go with it (added); a removed port's are forgotten with its MAC. */
  readonly withAddresses: boolean;
  /** When the caller has it: spares reading the network. */
  readonly networkType?: NetworkType;
}

/** The owner of the port a network's DHCP server answers from. */
export const DHCP_OWNER = 'network:dhcp';
const ROUTER_OWNERS = new Set(['network:router_interface', 'network:router_gateway']);
/** The ports that are not a host's own: the DHCP port (on every holder) and a router's ends (on the l3 host). */
const NOT_HOST_OWNERS = [DHCP_OWNER, ...ROUTER_OWNERS];
/** Gives the network its DHCP port (one per network, holding an address on each DHCP subnet), or takes it away when no subnet has DHCP. */
export type DhcpPortKeeper = (networkId: string, dhcpSubnets: readonly string[]) => Promise<PortRow | undefined>;

export class HostStateBuilder {
  constructor(
    private readonly store: NetworkStore,
    /** `[network] l3_host`: where routers and floating IPs are wired. */
    readonly l3Host: string,
    private readonly dhcpPorts: DhcpPortKeeper,
  ) {}

  /** Hosts that hold the network: those with a bound port on it, and the l3 host when a router has an end there. */
  async hostsOfNetwork(networkId: string): Promise<string[]> {
    const hosts = new Set(await this.store.portPlacements.hostsOnNetwork(networkId, 'bridge', NOT_HOST_OWNERS));
    if (await this.store.portPlacements.anyOwnedBy(networkId, [...ROUTER_OWNERS])) hosts.add(this.l3Host);
    return [...hosts].sort();
  }

  /** The hosts that hold a network with these ports. */
  #holders(ports: readonly PortPlacement[]): string[] {
    const hosts = new Set(ports.filter((port) => port.binding_vif_type === 'bridge' && port.device_owner !== DHCP_OWNER && !ROUTER_OWNERS.has(port.device_owner)).map((port) => port.binding_host_id));
    if (ports.some((port) => ROUTER_OWNERS.has(port.device_owner))) hosts.add(this.l3Host);
    return [...hosts].sort();
  }

  /** Hosts with a bound port in one of the groups. */
  async hostsOfGroups(groupIds: readonly string[]): Promise<string[]> {
    const ports = await this.store.ports.where('id', await this.store.portSecurityGroups.portIdsInGroups(groupIds));
    return [...new Set(ports.map((port) => port.binding_host_id).filter((host) => host !== ''))].sort();
  }

  /**
   * What `hosts` need to reach a VXLAN network's other hosts (Neutron's l2population fdb
   * entries): the tunnel endpoints to flood to, those the Linux bridge agents of the other hosts
   * holding it report (`tunneling_ip`), never one of `hosts`' own; and each port bound there (a
   * router's ends count as the l3 host's) with its MAC, addresses and host's endpoint. The DHCP
   * port is on every host and is none of them. Nothing for other network types, nor where no
   * agent has an endpoint (the all-in-one).
   */
  async tunnelEntries(networkId: string, hosts: readonly string[], networkType?: NetworkType): Promise<TunnelPeers> {
    const view = await this.#tunnelView(networkId, networkType);
    return view === undefined ? { network_id: networkId, peers: [], ports: [] } : tunnelPeersOf(view, hosts);
  }

  /**
   * One port's l2population change as each other host holding its VXLAN network hears it
   * (Neutron's add_fdb_entries and remove_fdb_entries for one port, where the holders would
   * otherwise each get their whole table again): the port's MAC (with its addresses when added)
   * behind its host's endpoint, and that endpoint as a flooding peer when the host joined or left.
   * A router's end is the l3 host's port. Nothing for other network types, the DHCP port, a host
   * without an endpoint, or a holder behind that endpoint.
   */
  async portTunnelEntries(networkId: string, port: TunnelPort, host: string, change: PortTunnelChange): Promise<Map<string, TunnelPeers>> {
    const heard = await this.#portHeard(networkId, port, host, change.holders, change.networkType);
    if (heard === undefined) return new Map();
    const { endpoint, receivers, shared } = heard;
    const ip_addresses = change.withAddresses ? (await this.store.ipAllocations.ofPorts([port.id])).map((row) => row.ip_address) : [];
    // Another holder behind the same endpoint (host names sharing one agent) keeps it a peer.
    const flooding = change.flooding && !shared;
    const entries: TunnelPeers = { network_id: networkId, peers: flooding ? [endpoint] : [], ports: [{ mac_address: port.mac_address, ip_addresses, tunnel_ip: endpoint }] };
    return new Map(receivers.map((other) => [other, entries]));
  }

  /**
   * A port's fixed IPs changed on its host (Neutron's l2population _fixed_ips_changed): the other
   * holders hear update_fdb_entries' chg_ip, the addresses that went and came behind its host's
   * endpoint, paired with its MAC. Nothing when no address changed, or where portTunnelEntries
   * would name nothing.
   */
  async portAddressEntries(networkId: string, port: TunnelPort, host: string, change: PortAddressChange): Promise<Map<string, UpdateFdbEntries>> {
    const [before, after] = [new Set(change.before), new Set(change.after)];
    const went = change.before.filter((address) => !after.has(address));
    const came = change.after.filter((address) => !before.has(address));
    if (went.length === 0 && came.length === 0) return new Map();
    const heard = await this.#portHeard(networkId, port, host, change.holders, change.networkType);
    if (heard === undefined) return new Map();
    const pairs = (addresses: readonly string[]): MacAddressPair[] => addresses.map((address) => [port.mac_address, address]);
    const entry: AddressChangeEntry = { ...(went.length > 0 ? { before: pairs(went) } : {}), ...(came.length > 0 ? { after: pairs(came) } : {}) };
    const entries: UpdateFdbEntries = { chg_ip: { [networkId]: { [heard.endpoint]: entry } } };
    return new Map(heard.receivers.map((other) => [other, entries]));
  }

  /**
   * Who hears of a change of the port on `host`: the other holders, none behind its endpoint;
   * `shared` when a holder is (host names sharing one agent). Undefined when no one does: not
   * VXLAN, the DHCP port (on every host), a router's end anywhere but the l3 host, or a host
   * without an endpoint.
   */
  async #portHeard(networkId: string, port: TunnelPort, host: string, holders: readonly string[], networkType?: NetworkType): Promise<{ endpoint: string; receivers: string[]; shared: boolean } | undefined> {
    if (port.device_owner === DHCP_OWNER || (ROUTER_OWNERS.has(port.device_owner) && host !== this.l3Host)) return undefined;
    if ((networkType ?? (await this.store.networks.find(networkId))?.network_type) !== 'vxlan') return undefined;
    const endpoints = await this.#endpoints();
    const endpoint = endpoints.get(host);
    if (endpoint === undefined) return undefined;
    const others = holders.filter((other) => other !== host);
    const receivers = others.filter((other) => endpoints.get(other) !== endpoint);
    return { endpoint, receivers, shared: receivers.length !== others.length };
  }

  /** Whether `host` holds the network through these ports alone (Neutron's first active port of an agent on a network): then it needs the network's whole table. */
  async holdsThroughPortsAlone(networkId: string, host: string, portIds: readonly string[]): Promise<boolean> {
    if (await this.store.portPlacements.anyOtherOnHost(networkId, host, 'bridge', portIds, NOT_HOST_OWNERS)) return false;
    return host !== this.l3Host || !(await this.store.portPlacements.anyOwnedBy(networkId, [...ROUTER_OWNERS], portIds));
  }

  /** The ports of a router's ends (its interfaces and gateway), as the l3 host's ports in the tunnel entries. */
  async routerEnds(routerId: string): Promise<RouterEnd[]> {
    const links = await this.store.routerPorts.ofRouter(routerId);
    const ports = await this.store.ports.where('id', links.map((link) => link.port_id));
    const allocations = await this.store.ipAllocations.ofPorts(ports.map((port) => port.id));
    return ports.map(({ id, network_id, mac_address, device_owner }) => ({
      id,
      network_id,
      mac_address,
      device_owner,
      ip_addresses: allocations.filter((allocation) => allocation.port_id === id).map((allocation) => allocation.ip_address),
    }));
  }

  /** Each host's tunnel endpoint, as its Linux bridge agent reports it (`tunneling_ip`). */
  async #endpoints(): Promise<Map<string, string>> {
    const endpoints = new Map<string, string>();
    for (const agent of await this.store.agents.ofType(LINUX_BRIDGE_AGENT)) {
      const endpoint = parseJson<Record<string, unknown>>(agent.configurations)['tunneling_ip'];
      if (typeof endpoint === 'string' && endpoint !== '') endpoints.set(agent.host, endpoint);
    }
    return endpoints;
  }

  /**
   * What the tunnel entries of a VXLAN network are made of; undefined for other network types.
   * Only the ports that sit on a host are read, and the addresses only of those behind an
   * endpoint (none on an all-in-one, where no agent reports one).
   */
  async #tunnelView(networkId: string, networkType?: NetworkType): Promise<TunnelView | undefined> {
    if ((networkType ?? (await this.store.networks.find(networkId))?.network_type) !== 'vxlan') return undefined;
    const endpoints = await this.#endpoints();
    const rows = (await this.store.portPlacements.onNetwork(networkId, 'bridge', [...ROUTER_OWNERS])).filter((port) => port.device_owner !== DHCP_OWNER);
    const placed = rows.map((port) => ({ port, host: ROUTER_OWNERS.has(port.device_owner) ? this.l3Host : port.binding_vif_type === 'bridge' ? port.binding_host_id : '' }));
    const reachable = placed.filter(({ host }) => endpoints.has(host)).map(({ port }) => port.id);
    const addresses = new Map<string, string[]>();
    for (const row of await this.store.ipAllocations.ofPorts(reachable)) addresses.set(row.port_id, [...(addresses.get(row.port_id) ?? []), row.ip_address]);
    return {
      networkId,
      holders: this.#holders(rows),
      endpoints,
      ports: placed.map(({ port, host }) => ({ host, mac_address: port.mac_address, ip_addresses: addresses.get(port.id) ?? [] })),
    };
  }

  async network(networkId: string): Promise<NetworkSpec | undefined> {
    const network = await this.store.networks.find(networkId);
    if (network === undefined) return undefined;
    const subnets = await this.store.subnets.where('network_id', [networkId]);
    const dhcpPort = await this.dhcpPorts(networkId, subnets.filter((subnet) => subnet.enable_dhcp).map((subnet) => subnet.id));
    const routed = await this.#routedSubnets(networkId);
    return {
      id: network.id,
      network_type: network.network_type as NetworkType,
      segmentation_id: network.segmentation_id,
      physical_network: network.physical_network,
      mtu: network.mtu,
      subnets: subnets.map(
        (subnet): SubnetSpec => ({
          id: subnet.id,
          ip_version: subnet.ip_version === 6 ? 6 : 4,
          cidr: subnet.cidr,
          gateway_ip: subnet.gateway_ip,
          enable_dhcp: subnet.enable_dhcp,
          allocation_pools: parseJson(subnet.allocation_pools),
          dns_nameservers: parseJson(subnet.dns_nameservers),
          host_routes: parseJson(subnet.host_routes),
          isolated: !routed.has(`${subnet.id} ${subnet.gateway_ip ?? ''}`),
        }),
      ),
      dhcp_port: dhcpPort === undefined ? null : await this.#dhcpPortSpec(dhcpPort),
    };
  }

  /** `<subnet id> <address>` of each router interface on the network: a subnet whose gateway address is among them is routed (Neutron's DHCP agent, get_isolated_subnets). */
  async #routedSubnets(networkId: string): Promise<Set<string>> {
    const addresses = await this.store.ipAllocations.ofPorts(await this.store.portPlacements.idsOwnedBy(networkId, [...ROUTER_INTERFACE_OWNERS]));
    return new Set(addresses.map((row) => `${row.subnet_id} ${row.ip_address}`));
  }

  async #dhcpPortSpec(port: PortRow): Promise<DhcpPortSpec> {
    return { id: port.id, mac_address: port.mac_address, fixed_ips: await this.#fixedIps(port.id) };
  }

  async #fixedIps(portId: string): Promise<{ subnet_id: string; ip_address: string }[]> {
    return (await this.store.ipAllocations.ofPorts([portId])).map((row) => ({ subnet_id: row.subnet_id, ip_address: row.ip_address }));
  }

  async port(row: PortRow): Promise<PortSpec> {
    const groups = await this.store.portSecurityGroups.ofPorts([row.id]);
    return {
      id: row.id,
      network_id: row.network_id,
      mac_address: row.mac_address,
      fixed_ips: await this.#fixedIps(row.id),
      security_groups: groups.map((link) => link.security_group_id),
      port_security_enabled: row.port_security_enabled,
      allowed_address_pairs: parseJson(row.allowed_address_pairs),
      device_owner: row.device_owner,
      dns_name: null,
    };
  }

  async securityGroup(groupId: string): Promise<SecurityGroupSpec> {
    const rules = await this.store.securityGroupRules.where('security_group_id', [groupId]);
    return {
      id: groupId,
      rules: rules.map((rule) => ({
        id: rule.id,
        direction: rule.direction === 'egress' ? 'egress' : 'ingress',
        ethertype: rule.ethertype === 'IPv6' ? 'IPv6' : 'IPv4',
        protocol: rule.protocol,
        port_range_min: rule.port_range_min,
        port_range_max: rule.port_range_max,
        remote_ip_prefix: rule.remote_ip_prefix,
        remote_group_id: rule.remote_group_id,
      })),
    };
  }

  /** The router with its interfaces and gateway, its floating IPs, and the networks it has ends on. */
  async router(routerId: string): Promise<RouterState | undefined> {
    const router = await this.store.routers.find(routerId);
    if (router === undefined) return undefined;
    const links = await this.store.routerPorts.ofRouter(routerId);
    const ports = await this.store.ports.where('id', links.map((link) => link.port_id));
    const interfaces: RouterSpec['interfaces'][number][] = [];
    let gateway: RouterSpec['external_gateway'] = null;
    for (const port of ports) {
      for (const ip of await this.#fixedIps(port.id)) {
        const subnet = await this.store.subnets.find(ip.subnet_id);
        if (subnet === undefined) continue;
        const end = { port_id: port.id, network_id: port.network_id, mac_address: port.mac_address, ip_address: ip.ip_address, cidr: subnet.cidr };
        if (port.id === router.gw_port_id) {
          // The router's default route leaves by the first IPv4 address of its gateway port.
          if (gateway === null && subnet.ip_version === 4) gateway = { ...end, gateway_ip: subnet.gateway_ip, enable_snat: router.enable_snat };
        } else {
          interfaces.push({ ...end, subnet_id: subnet.id });
        }
      }
    }
    const floating = (await this.store.floatingIps.where('router_id', [routerId])).filter((fip) => fip.port_id !== null && fip.fixed_ip_address !== null);
    const floatingIps: RouterFloatingIp[] = floating.map((fip) => ({ id: fip.id, floating_ip_address: fip.floating_ip_address, fixed_ip_address: fip.fixed_ip_address ?? '' }));
    const networkIds = [...new Set([...interfaces.map((end) => end.network_id), ...(gateway === null ? [] : [gateway.network_id])])];
    const networks: NetworkSpec[] = [];
    for (const id of networkIds) {
      const spec = await this.network(id);
      if (spec !== undefined) networks.push(spec);
    }
    return { router: { id: routerId, interfaces, external_gateway: gateway }, networks, floating_ips: floatingIps };
  }

  /** Everything the hosts should hold: their bound ports with their networks and groups, and on the l3 host every router. */
  async desired(hosts: readonly string[]): Promise<HostState> {
    const ports = (await this.store.ports.where('binding_host_id', hosts)).filter((port) => port.binding_vif_type === 'bridge' && port.device_owner !== DHCP_OWNER && !ROUTER_OWNERS.has(port.device_owner));
    const routers: RouterState[] = [];
    if (hosts.includes(this.l3Host)) {
      for (const row of await this.store.routers.list()) {
        const state = await this.router(row.id);
        if (state !== undefined) routers.push(state);
      }
    }
    const networkIds = new Set([...ports.map((port) => port.network_id), ...routers.flatMap((state) => state.networks.map((network) => network.id))]);
    const networks: NetworkSpec[] = [];
    for (const id of [...networkIds].sort()) {
      const spec = await this.network(id);
      if (spec !== undefined) networks.push(spec);
    }
    const bound = await Promise.all(ports.map(async (port) => ({ host: port.binding_host_id, port: await this.port(port) })));
    const groupIds = [...new Set(bound.flatMap(({ port }) => port.security_groups))].sort();
    const groups = await Promise.all(groupIds.map((id) => this.securityGroup(id)));
    const tunnelPeers = await Promise.all(networks.filter((network) => network.network_type === 'vxlan').map((network) => this.tunnelEntries(network.id, hosts, network.network_type)));
    return { networks, tunnel_peers: tunnelPeers, ports: bound, security_groups: groups, routers };
  }
}
