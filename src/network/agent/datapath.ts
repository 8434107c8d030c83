/**
 * The network data path of one host: the seam between the network agent (told by the network
 * server what should exist) and what the host wires. `linux-bridge/` realises it as Neutron's
 * Linux bridge agent does; `fake/` records it for clouds of fake hosts. Every method is
 * idempotent and takes the whole desired state of its object, so a resync is the same call.
 * The shared behaviour is `datapath.contract.ts`.
 */
import type { FloatingIpSpec, NetworkSpec, PortSpec, RemotePortSpec, RouterSpec, SecurityGroupSpec, TunnelAddressChange } from './datapath-spec.js';

export type Availability = { readonly available: true } | { readonly available: false; readonly reason: string };

/** What the host holds, in Neutron's kernel names, read back from the host itself. */
export interface DatapathInventory {
  /** `brq…` bridges. */
  readonly bridges: readonly string[];
  /** `tap…` devices on those bridges (guests' ports, DHCP and router ends). */
  readonly taps: readonly string[];
  /** `qdhcp-…` and `qrouter-…` namespaces. */
  readonly namespaces: readonly string[];
  /** Networks whose DHCP server runs. */
  readonly dhcpNetworks: readonly string[];
  /** Networks whose DHCP namespace serves the metadata service at 169.254.169.254 (a proxy to the metadata agent): those with an isolated subnet, or with force_metadata any DHCP subnet. */
  readonly metadataNetworks: readonly string[];
  /** Routers whose namespace serves the metadata service to their subnets. */
  readonly metadataRouters: readonly string[];
  /** Ports with security (anti-spoofing and security group rules) in force. */
  readonly securedPorts: readonly string[];
}

export interface Datapath {
  /** Whether this host can wire anything, and if not the one reason why (no CAP_NET_ADMIN, a missing tool). */
  checkAvailable(): Promise<Availability>;

  /**
   * The network's bridge exists and is up with the network's MTU; a VXLAN network, on a host
   * with a tunnel endpoint, has its `vxlan-<vni>` device on the bridge; a flat or vlan network on
   * a physical network the host maps to an interface has that interface (flat) or its 802.1q
   * subinterface `<interface>.<vlan id>` (vlan) on the bridge; where a subnet has DHCP, its
   * dnsmasq runs in `qdhcp-<id>` with the subnets' options, and with metadata on the namespace
   * serves 169.254.169.254 to the isolated subnets (see dhcpMetadataSubnets). Repeating it with changed subnets
   * updates DHCP in place. Undone by deleteNetwork.
   */
  ensureNetwork(network: NetworkSpec): Promise<void>;
  /** Removes the DHCP server, its namespace, the tunnel device, a vlan subinterface and the bridge (a mapped interface only leaves the bridge). NetworkInUse while ports or routers are on it. */
  deleteNetwork(networkId: string): Promise<void>;
  /**
   * A VXLAN network floods to exactly these tunnel endpoints (the other hosts holding it), sends
   * frames for each remote port's MAC to that port's host alone, and (with an ARP responder)
   * answers ARP and neighbour solicitations for the remote ports' addresses itself: Neutron's
   * l2population entries, from when the network is wired until deleteNetwork; entries named
   * before the network is wired are kept for then. A data path without a tunnel endpoint ignores them.
   */
  setTunnelPeers(networkId: string, peers: readonly string[], ports?: readonly RemotePortSpec[]): Promise<void>;
  /**
   * Neutron's add_fdb_entries, the change after one port arrived on another host: the network
   * also floods to `peers`, and each of `ports` is sent and answered for as setTunnelPeers's are
   * (replacing where its MAC went before). Only what changes is touched; kept for an unwired
   * network as setTunnelPeers's entries are.
   */
  addTunnelEntries(networkId: string, peers: readonly string[], ports: readonly RemotePortSpec[]): Promise<void>;
  /** Neutron's remove_fdb_entries: the network floods no more to `peers`, and each of `ports` whose MAC still goes to its `tunnel_ip` is forgotten with its addresses. */
  removeTunnelEntries(networkId: string, peers: readonly string[], ports: readonly RemotePortSpec[]): Promise<void>;
  /**
   * Neutron's update_fdb_entries (chg_ip), after a port on another host changed its fixed IPs:
   * the ports behind the change's endpoint are answered for with the `after` addresses instead
   * of the `before` ones (the neighbour entries of the ARP responder); a MAC not yet sent there
   * is, as addTunnelEntries would send it. Only what changes is touched.
   */
  changeTunnelAddresses(networkId: string, change: TunnelAddressChange): Promise<void>;

  /**
   * The port's tap (made here when missing; QEMU's driver may have made it) is on its network's
   * bridge and up, its DHCP host entry is served, and its anti-spoofing and security group rules
   * are in force. NetworkNotWired when the network is not. Undone by unplugPort.
   */
  plugPort(port: PortSpec): Promise<void>;
  /** Takes the port off: its rules and DHCP entry go, and the tap if this data path made it. */
  unplugPort(portId: string): Promise<void>;
  /** A plugged port's addresses, groups, address pairs or port security changed: its rules and DHCP entry follow, in place. */
  updatePortSecurity(port: PortSpec): Promise<void>;

  /** The group's rules are in force on every port in it, changed in place; ports may name groups before they are synced. */
  syncSecurityGroup(group: SecurityGroupSpec): Promise<void>;
  /** Forgets the group: ports still naming it keep only the default rules. */
  deleteSecurityGroup(groupId: string): Promise<void>;

  /**
   * `qrouter-<id>` exists with a `qr-` end on each interface's bridge holding the subnet's
   * gateway address, and a `qg-` end on the external network's bridge with SNAT when enabled;
   * with metadata on, the namespace serves 169.254.169.254 to what its `qr-` ends receive.
   * Repeating it with other interfaces adds and removes ends. Undone by deleteRouter.
   */
  ensureRouter(router: RouterSpec): Promise<void>;
  deleteRouter(routerId: string): Promise<void>;
  /** The router's floating IPs become exactly these (DNAT in, SNAT out). The router needs a gateway. */
  setFloatingIps(routerId: string, floatingIps: readonly FloatingIpSpec[]): Promise<void>;

  inventory(): Promise<DatapathInventory>;
}
