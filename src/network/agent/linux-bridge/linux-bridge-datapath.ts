/**
 * The data path as Neutron's Linux bridge agent lays it out on one host: a bridge per network,
 * taps on it, DHCP and routers in namespaces, security groups in nftables (see datapath.ts for
 * each method's contract). Calls are serialised: each is a short series of commands on shared
 * kernel state.
 */
import { tapInUse } from '../../../common/host-net/taps.js';
import type { Datapath, DatapathInventory, Availability } from '../datapath.js';
import { routerNetworks, type FloatingIpSpec, type NetworkSpec, type PortSpec, type RemotePortSpec, type RouterSpec, type SecurityGroupSpec, type TunnelAddressChange } from '../datapath-spec.js';
import { BRIDGE_PREFIX, DHCP_NAMESPACE_PREFIX, ROUTER_NAMESPACE_PREFIX, TAP_PREFIX, bridgeName, checkId, tapName, vxlanDevice } from '../device-names.js';
import { InvalidDatapathSpec, NetworkInUse, NetworkNotWired } from '../errors.js';
import { checkAddress, checkName, checkNetwork, checkPort, checkRemotePort, checkRouter, checkSecurityGroup, checkTunnelAddressChange } from '../spec-checks.js';
import { NO_TUNNEL_ENTRIES, withChangedAddresses, withTunnelEntries, withoutTunnelEntries, type TunnelEntries } from '../tunnel-entries.js';
import { checkLinuxBridgeAvailable } from './availability.js';
import { DhcpServers } from './dhcp/dhcp-server.js';
import { tryRun } from './exec.js';
import { Routers } from './l3/routers.js';
import { attach, bridgePorts, deleteLink, ensureBridge, ensureTap, linkExists, linksNamed } from './links.js';
import { namespacesNamed } from './namespaces.js';
import { attachPhysical, detachPhysical, mappedBridgeOf, physicalDeviceOf, type BridgeMappings, type InterfaceMappings, type PhysicalDevice } from './physical.js';
import { changeTunnelEntries, ensureVxlan, setForwardingEntries, setResponderEntries } from './tunnels.js';
import { MetadataProxies } from './metadata/metadata-proxy.js';
import { Firewall } from './security/firewall.js';

export interface LinuxBridgeOptions {
  /** Where dnsmasq's files live (`<stateDir>/dhcp/<network id>/`). */
  readonly stateDir: string;
  /** The nftables tables of the security groups; `nimbus` by default. */
  readonly nftTable?: string;
  /** The one host interface guest traffic may be routed to; none by default. */
  readonly uplink?: string;
  /**
   * The metadata agent's unix socket (`[DEFAULT] metadata_proxy_socket`): with it, each router
   * namespace serves 169.254.169.254 to its subnets through a proxy to it, and each DHCP namespace
   * to the network's isolated subnets (no router at their gateway), whose guests DHCP hands the
   * route there.
   */
  readonly metadataProxySocket?: string;
  /** With the socket: DHCP namespaces serve every subnet's guests, routed or not (Neutron's force_metadata). */
  readonly forceMetadata?: boolean;
  /**
   * This host's VXLAN tunnel endpoint (`[network] local_ip`): with it, VXLAN networks reach the
   * other hosts holding them; without it (the all-in-one) they stay on this host.
   */
  readonly localIp?: string;
  /**
   * Answer ARP and neighbour solicitations for other hosts' ports on each VXLAN device, from the
   * entries the server names (Neutron's `[vxlan] arp_responder`); off: they cross the tunnels.
   */
  readonly arpResponder?: boolean;
  /**
   * Physical network → host interface (Neutron's `[linux_bridge] physical_interface_mappings`):
   * a flat network on a mapped physical network has the interface on its bridge, a vlan network
   * the interface's 802.1q subinterface. Unmapped physical networks stay on this host.
   */
  readonly physicalInterfaceMappings?: InterfaceMappings;
  /**
   * Physical network → an existing bridge of the host (Neutron's `[linux_bridge] bridge_mappings`):
   * a flat network on a mapped physical network uses that bridge as its own, which is never made,
   * changed or deleted here (only the network's taps and namespace ends join and leave it).
   */
  readonly bridgeMappings?: BridgeMappings;
}

interface PluggedPort {
  readonly spec: PortSpec;
  /** Whether this data path made the tap (and so deletes it). */
  readonly madeTap: boolean;
}

export class LinuxBridgeDatapath implements Datapath {
  private readonly networks = new Map<string, NetworkSpec>();
  private readonly ports = new Map<string, PluggedPort>();
  private readonly routerSpecs = new Map<string, RouterSpec>();
  private readonly dhcp: DhcpServers;
  private readonly firewall: Firewall;
  private readonly routers: Routers;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly servesMetadata: boolean;
  private readonly localIp: string | undefined;
  /** Each VXLAN network's tunnel peers and remote ports, as last told (applied when the network is wired). */
  private readonly tunnelPeers = new Map<string, TunnelEntries>();
  private readonly arpResponder: boolean;
  private readonly interfaceMappings: InterfaceMappings;
  private readonly bridgeMappings: BridgeMappings;

  constructor(options: LinuxBridgeOptions) {
    this.localIp = options.localIp === undefined ? undefined : checkAddress(options.localIp);
    this.servesMetadata = options.metadataProxySocket !== undefined;
    this.arpResponder = options.arpResponder ?? false;
    this.interfaceMappings = options.physicalInterfaceMappings ?? {};
    this.bridgeMappings = options.bridgeMappings ?? {};
    for (const [physnet, device] of Object.entries(this.interfaceMappings)) {
      checkName('physical network', physnet);
      checkName('interface', device);
    }
    for (const [physnet, bridge] of Object.entries(this.bridgeMappings)) {
      checkName('physical network', physnet);
      checkName('bridge', bridge);
    }
    const metadata = options.metadataProxySocket === undefined ? undefined : new MetadataProxies(options.stateDir, options.metadataProxySocket);
    const bridgeOf = (networkId: string): string => this.bridgeOf(this.wired(networkId));
    this.dhcp = new DhcpServers(options.stateDir, bridgeOf, metadata === undefined ? undefined : { proxies: metadata, force: options.forceMetadata ?? false });
    this.firewall = new Firewall({ table: options.nftTable ?? 'nimbus', bridgeOf: (networkId) => (this.networks.has(networkId) ? bridgeOf(networkId) : bridgeName(networkId)), ...(options.uplink === undefined ? {} : { uplink: options.uplink }) });
    this.routers = new Routers((networkId) => ({ mtu: this.wired(networkId).mtu, bridge: bridgeOf(networkId) }), metadata);
  }

  checkAvailable(): Promise<Availability> {
    return checkLinuxBridgeAvailable({ metadata: this.servesMetadata });
  }

  ensureNetwork(network: NetworkSpec): Promise<void> {
    return this.serial(async () => {
      checkNetwork(network);
      const previous = this.networks.get(network.id);
      const bridge = this.bridgeOf(network);
      if (previous !== undefined && this.bridgeOf(previous) !== bridge) throw new InvalidDatapathSpec(`network ${network.id} cannot move from bridge ${this.bridgeOf(previous)} to ${bridge}: delete it first`);
      const mapped = bridge !== bridgeName(network.id);
      // As Neutron's agent, which refuses to start without them: a mapped bridge is the host's, never made here.
      if (mapped && !(await linkExists(bridge))) throw new Error(`the bridge ${bridge} of physical network ${network.physical_network ?? ''} (bridge_mappings) does not exist on this host`);
      this.networks.set(network.id, network);
      try {
        if (!mapped) await ensureBridge(bridge, network.mtu);
        await this.firewall.addBridge(bridge);
        const tunnel = this.tunnelDevice(network);
        if (tunnel !== undefined && this.localIp !== undefined && network.segmentation_id !== null) {
          await this.firewall.setTunnel(tunnel, network.dhcp_port?.mac_address ?? null);
          await ensureVxlan(tunnel, network.segmentation_id, this.localIp, bridge, network.mtu, this.arpResponder);
          await this.applyTunnelEntries(tunnel, network.id);
        }
        await this.ensurePhysical(network, previous);
        if (previous?.dhcp_port != null && previous.dhcp_port.id !== network.dhcp_port?.id) await this.dhcp.remove(network.id, previous.dhcp_port.id);
        await this.dhcp.ensure(network, this.portsOn(network.id));
      } catch (error) {
        // A network that failed to appear leaves nothing; one that failed to change stays as the retry will find it.
        if (previous === undefined) await this.removeNetwork(network);
        throw error;
      }
    });
  }

  deleteNetwork(networkId: string): Promise<void> {
    return this.serial(async () => {
      checkId('network', networkId);
      const users = [
        ...[...this.ports.values()].filter((port) => port.spec.network_id === networkId).map((port) => `port ${port.spec.id}`),
        ...[...this.routerSpecs.values()].filter((router) => routerNetworks(router).includes(networkId)).map((router) => `router ${router.id}`),
      ];
      if (users.length > 0) throw new NetworkInUse(networkId, users);
      await this.removeNetwork(this.networks.get(networkId) ?? { id: networkId, dhcp_port: null });
      // The last network gone: the security group tables go too, so an idle host holds nothing.
      if (this.networks.size === 0 && this.ports.size === 0) await this.firewall.destroy();
    });
  }

  setTunnelPeers(networkId: string, peers: readonly string[], ports: readonly RemotePortSpec[] = []): Promise<void> {
    return this.serial(async () => {
      checkId('network', networkId);
      peers.forEach(checkAddress);
      ports.forEach(checkRemotePort);
      this.tunnelPeers.set(networkId, { peers: [...peers], ports: [...ports] });
      const network = this.networks.get(networkId);
      const tunnel = network === undefined ? undefined : this.tunnelDevice(network);
      if (tunnel !== undefined) await this.applyTunnelEntries(tunnel, networkId);
    });
  }

  async addTunnelEntries(networkId: string, peers: readonly string[], ports: readonly RemotePortSpec[]): Promise<void> {
    peers.forEach(checkAddress);
    ports.forEach(checkRemotePort);
    await this.changeTunnelEntries(networkId, (before) => withTunnelEntries(before, peers, ports));
  }

  async removeTunnelEntries(networkId: string, peers: readonly string[], ports: readonly RemotePortSpec[]): Promise<void> {
    peers.forEach(checkAddress);
    ports.forEach(checkRemotePort);
    await this.changeTunnelEntries(networkId, (before) => withoutTunnelEntries(before, peers, ports));
  }

  async changeTunnelAddresses(networkId: string, change: TunnelAddressChange): Promise<void> {
    checkTunnelAddressChange(change);
    await this.changeTunnelEntries(networkId, (before) => withChangedAddresses(before, change));
  }

  /** Applies one change to the entries last set (which are what the device holds), touching only the kernel entries that differ. */
  private changeTunnelEntries(networkId: string, change: (before: TunnelEntries) => TunnelEntries): Promise<void> {
    checkId('network', networkId);
    return this.serial(async () => {
      const before = this.tunnelPeers.get(networkId) ?? NO_TUNNEL_ENTRIES;
      const after = change(before);
      this.tunnelPeers.set(networkId, after);
      const network = this.networks.get(networkId);
      const tunnel = network === undefined ? undefined : this.tunnelDevice(network);
      if (tunnel !== undefined) await changeTunnelEntries(tunnel, before, after, this.arpResponder);
    });
  }

  private async applyTunnelEntries(tunnel: string, networkId: string): Promise<void> {
    const { peers, ports } = this.tunnelPeers.get(networkId) ?? NO_TUNNEL_ENTRIES;
    await setForwardingEntries(tunnel, peers, ports);
    if (this.arpResponder) await setResponderEntries(tunnel, ports);
  }

  /** A flat or vlan network on a mapped physical network: its interface (or subinterface) on the bridge; one whose segment changed lets the earlier one go. */
  private async ensurePhysical(network: NetworkSpec, previous: NetworkSpec | undefined): Promise<void> {
    const physical = this.physicalDevice(network);
    const before = previous === undefined ? undefined : this.physicalDevice(previous);
    if (before !== undefined && before.device !== physical?.device) await detachPhysical(before);
    if (physical === undefined || network.physical_network == null) return;
    // The DHCP port is on every host holding the network, with one MAC and address: each serves its own guests, not the wire.
    await this.firewall.setTunnel(physical.device, network.dhcp_port?.mac_address ?? null);
    try {
      await attachPhysical(physical, this.interfaceMappings[network.physical_network] ?? '', network.network_type === 'vlan' ? network.segmentation_id : null, this.bridgeOf(network), network.mtu);
    } catch (error) {
      await this.firewall.removeTunnel(physical.device);
      throw error;
    }
  }

  /** A network on a mapped bridge needs no device of its own on it: the bridge reaches the physical network already. */
  private physicalDevice(network: NetworkSpec): PhysicalDevice | undefined {
    if (this.mappedBridge(network) !== undefined) return undefined;
    return physicalDeviceOf(this.interfaceMappings, network.network_type, network.physical_network, network.segmentation_id);
  }

  private mappedBridge(network: Pick<NetworkSpec, 'network_type' | 'physical_network'>): string | undefined {
    return mappedBridgeOf(this.bridgeMappings, network.network_type, network.physical_network);
  }

  /** The bridge the network's ports join: the mapped one, else its own `brq` bridge. */
  private bridgeOf(network: Pick<NetworkSpec, 'id' | 'network_type' | 'physical_network'>): string {
    return this.mappedBridge(network) ?? bridgeName(network.id);
  }

  plugPort(port: PortSpec): Promise<void> {
    return this.serial(async () => {
      checkPort(port);
      const network = this.wired(port.network_id);
      const tap = tapName(port.id);
      // Rules first, so the port is never on the bridge unfiltered.
      await this.firewall.setPort(port);
      const madeTap = this.ports.get(port.id)?.madeTap ?? (await ensureTap(tap));
      try {
        await attach(tap, this.bridgeOf(network), network.mtu);
      } catch (error) {
        await this.firewall.removePort(port.id);
        if (madeTap) await deleteLink(tap);
        throw error;
      }
      this.ports.set(port.id, { spec: port, madeTap });
      await this.dhcp.reloadHosts(network, this.portsOn(network.id));
    });
  }

  unplugPort(portId: string): Promise<void> {
    return this.serial(async () => {
      checkId('port', portId);
      const plugged = this.ports.get(portId);
      await this.firewall.removePort(portId);
      const tap = tapName(portId);
      // A tap this data path did not make (QEMU's, or one from before a restart), or one a QEMU
      // still holds (its port was bound elsewhere while the guest runs on), only leaves the bridge.
      if (plugged?.madeTap === true && !(await tapInUse(tap))) await deleteLink(tap);
      else await tryRun('ip', ['link', 'set', 'dev', tap, 'nomaster']);
      this.ports.delete(portId);
      const network = plugged === undefined ? undefined : this.networks.get(plugged.spec.network_id);
      if (network !== undefined) await this.dhcp.reloadHosts(network, this.portsOn(network.id));
    });
  }

  updatePortSecurity(port: PortSpec): Promise<void> {
    return this.serial(async () => {
      checkPort(port);
      const plugged = this.ports.get(port.id);
      if (plugged === undefined) throw new InvalidDatapathSpec(`port ${port.id} is not plugged on this host`);
      await this.firewall.setPort(port);
      this.ports.set(port.id, { ...plugged, spec: port });
      await this.dhcp.reloadHosts(this.wired(port.network_id), this.portsOn(port.network_id));
    });
  }

  syncSecurityGroup(group: SecurityGroupSpec): Promise<void> {
    return this.serial(() => this.firewall.setGroup(checkSecurityGroup(group)));
  }

  deleteSecurityGroup(groupId: string): Promise<void> {
    return this.serial(() => this.firewall.removeGroup(checkId('security group', groupId)));
  }

  ensureRouter(router: RouterSpec): Promise<void> {
    return this.serial(async () => {
      checkRouter(router);
      routerNetworks(router).forEach((networkId) => this.wired(networkId));
      try {
        await this.routers.ensure(router);
      } catch (error) {
        if (!this.routerSpecs.has(router.id)) await this.routers.remove(router.id);
        throw error;
      }
      this.routerSpecs.set(router.id, router);
    });
  }

  deleteRouter(routerId: string): Promise<void> {
    return this.serial(async () => {
      await this.routers.remove(checkId('router', routerId));
      this.routerSpecs.delete(routerId);
    });
  }

  setFloatingIps(routerId: string, floatingIps: readonly FloatingIpSpec[]): Promise<void> {
    return this.serial(async () => {
      const router = this.routerSpecs.get(checkId('router', routerId));
      if (router?.external_gateway == null) throw new InvalidDatapathSpec(`router ${routerId} has no external gateway on this host`);
      floatingIps.forEach((fip) => [fip.floating_ip_address, fip.fixed_ip_address].forEach(checkAddress));
      await this.routers.setFloatingIps(router, floatingIps);
    });
  }

  inventory(): Promise<DatapathInventory> {
    return this.serial(async () => {
      const bridges = await linksNamed(BRIDGE_PREFIX);
      // The taps on the mapped bridges of wired networks count too; those bridges themselves are the host's.
      const mapped = [...new Set([...this.networks.values()].flatMap((network) => this.mappedBridge(network) ?? []))];
      const taps = (await Promise.all([...bridges, ...mapped].map(bridgePorts))).flat().filter((name) => name.startsWith(TAP_PREFIX));
      const namespaces = [...(await namespacesNamed(DHCP_NAMESPACE_PREFIX)), ...(await namespacesNamed(ROUTER_NAMESPACE_PREFIX))];
      const dhcpNetworks: string[] = [];
      const metadataNetworks: string[] = [];
      for (const id of this.networks.keys()) {
        if (await this.dhcp.running(id)) dhcpNetworks.push(id);
        if (await this.dhcp.servesMetadata(id)) metadataNetworks.push(id);
      }
      const metadataRouters: string[] = [];
      for (const id of this.routerSpecs.keys()) if (await this.routers.servesMetadata(id)) metadataRouters.push(id);
      return { bridges, taps, namespaces, dhcpNetworks, metadataNetworks, metadataRouters, securedPorts: await this.firewall.securedPorts() };
    });
  }

  /** Removes everything this instance made: routers, ports, DHCP servers, bridges and the nftables tables (a host leaving the cloud; tests). */
  teardown(): Promise<void> {
    return this.serial(async () => {
      for (const routerId of this.routerSpecs.keys()) await this.routers.remove(routerId);
      for (const [portId, plugged] of this.ports) if (plugged.madeTap) await deleteLink(tapName(portId));
      // The tables go first and whole, so removing the networks has no table entries left to remove.
      await this.firewall.destroy();
      for (const network of this.networks.values()) await this.removeNetwork(network);
      this.routerSpecs.clear();
      this.ports.clear();
      this.networks.clear();
    });
  }

  private async removeNetwork(network: Pick<NetworkSpec, 'id' | 'dhcp_port'>): Promise<void> {
    const wired = this.networks.get(network.id);
    const mapped = wired === undefined ? undefined : this.mappedBridge(wired);
    const bridge = mapped ?? bridgeName(network.id);
    await this.dhcp.remove(network.id, network.dhcp_port?.id);
    await this.firewall.removeBridge(bridge);
    const tunnel = wired === undefined ? undefined : this.tunnelDevice(wired);
    // The forwarding and responder entries go with the device.
    if (tunnel !== undefined) {
      await deleteLink(tunnel);
      await this.firewall.removeTunnel(tunnel);
    }
    const physical = wired === undefined ? undefined : this.physicalDevice(wired);
    if (physical !== undefined) {
      await detachPhysical(physical);
      await this.firewall.removeTunnel(physical.device);
    }
    // A mapped bridge is the host's: it stays, as Neutron's agent leaves it.
    if (mapped === undefined) await deleteLink(bridge);
    this.networks.delete(network.id);
    this.tunnelPeers.delete(network.id);
  }

  /** The network's `vxlan-<vni>` device where this host has a tunnel endpoint; undefined for other networks. */
  private tunnelDevice(network: NetworkSpec): string | undefined {
    if (this.localIp === undefined || network.network_type !== 'vxlan' || network.segmentation_id === null) return undefined;
    return vxlanDevice(network.segmentation_id);
  }

  private wired(networkId: string): NetworkSpec {
    const network = this.networks.get(networkId);
    if (network === undefined) throw new NetworkNotWired(networkId);
    return network;
  }

  private portsOn(networkId: string): PortSpec[] {
    return [...this.ports.values()].filter((port) => port.spec.network_id === networkId).map((port) => port.spec);
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
