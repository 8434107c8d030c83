/**
 * A data path that wires nothing and records what it was told, for clouds of fake hosts: the
 * same checks and errors as the Linux one, and an inventory of the names the Linux one would
 * have made, so the agent above cannot tell them apart.
 */
import type { Availability, Datapath, DatapathInventory } from '../datapath.js';
import { dhcpMetadataSubnets, hasPortSecurity, routerNetworks, type FloatingIpSpec, type NetworkSpec, type PortSpec, type RemotePortSpec, type RouterSpec, type SecurityGroupSpec, type TunnelAddressChange } from '../datapath-spec.js';
import { bridgeName, checkId, dhcpNamespace, routerNamespace, tapName } from '../device-names.js';
import { InvalidDatapathSpec, NetworkInUse, NetworkNotWired } from '../errors.js';
import { checkAddress, checkNetwork, checkRemotePort, checkPort, checkRouter, checkSecurityGroup, checkTunnelAddressChange } from '../spec-checks.js';
import { withChangedAddresses, withTunnelEntries, withoutTunnelEntries, type TunnelEntries } from '../tunnel-entries.js';

export class FakeDatapath implements Datapath {
  readonly networks = new Map<string, NetworkSpec>();
  readonly ports = new Map<string, PortSpec>();
  readonly securityGroups = new Map<string, SecurityGroupSpec>();
  readonly routers = new Map<string, RouterSpec>();
  readonly floatingIps = new Map<string, readonly FloatingIpSpec[]>();
  /** The tunnel peers each network was last given (kept, as the Linux one keeps them, until deleteNetwork). */
  readonly tunnelPeers = new Map<string, readonly string[]>();
  /** The remote ports (l2population's unicast entries) each network was last given. */
  readonly remotePorts = new Map<string, readonly RemotePortSpec[]>();
  /** How many times each network was given its whole table (setTunnelPeers) rather than a change. */
  readonly tunnelTableSyncs = new Map<string, number>();
  /** Each l2population change as told, in order: what a host heard, for tests of who hears what. */
  readonly tunnelChanges: { readonly networkId: string; readonly verb: 'add' | 'remove' | 'addresses'; readonly change: unknown }[] = [];

  /** `metadata`: routers and DHCP namespaces would serve 169.254.169.254, as the Linux one's with a metadata proxy socket (`forceMetadata` as its). */
  constructor(private readonly options: { readonly metadata?: boolean; readonly forceMetadata?: boolean } = {}) {}

  checkAvailable(): Promise<Availability> {
    return Promise.resolve({ available: true });
  }

  async ensureNetwork(network: NetworkSpec): Promise<void> {
    this.networks.set(network.id, checkNetwork(network));
  }

  async deleteNetwork(networkId: string): Promise<void> {
    checkId('network', networkId);
    const users = [
      ...[...this.ports.values()].filter((port) => port.network_id === networkId).map((port) => `port ${port.id}`),
      ...[...this.routers.values()].filter((router) => routerNetworks(router).includes(networkId)).map((router) => `router ${router.id}`),
    ];
    if (users.length > 0) throw new NetworkInUse(networkId, users);
    this.networks.delete(networkId);
    this.tunnelPeers.delete(networkId);
    this.remotePorts.delete(networkId);
  }

  async setTunnelPeers(networkId: string, peers: readonly string[], ports: readonly RemotePortSpec[] = []): Promise<void> {
    peers.forEach(checkAddress);
    ports.forEach(checkRemotePort);
    this.tunnelPeers.set(checkId('network', networkId), [...peers]);
    this.remotePorts.set(networkId, [...ports]);
    this.tunnelTableSyncs.set(networkId, (this.tunnelTableSyncs.get(networkId) ?? 0) + 1);
  }

  async addTunnelEntries(networkId: string, peers: readonly string[], ports: readonly RemotePortSpec[]): Promise<void> {
    peers.forEach(checkAddress);
    ports.forEach(checkRemotePort);
    this.#changeTunnelEntries(networkId, 'add', { peers, ports }, (current) => withTunnelEntries(current, peers, ports));
  }

  async removeTunnelEntries(networkId: string, peers: readonly string[], ports: readonly RemotePortSpec[]): Promise<void> {
    peers.forEach(checkAddress);
    ports.forEach(checkRemotePort);
    this.#changeTunnelEntries(networkId, 'remove', { peers, ports }, (current) => withoutTunnelEntries(current, peers, ports));
  }

  async changeTunnelAddresses(networkId: string, change: TunnelAddressChange): Promise<void> {
    checkTunnelAddressChange(change);
    this.#changeTunnelEntries(networkId, 'addresses', change, (current) => withChangedAddresses(current, change));
  }

  #changeTunnelEntries(networkId: string, verb: 'add' | 'remove' | 'addresses', told: unknown, change: (current: TunnelEntries) => TunnelEntries): void {
    const after = change({ peers: this.tunnelPeers.get(checkId('network', networkId)) ?? [], ports: this.remotePorts.get(networkId) ?? [] });
    this.tunnelChanges.push({ networkId, verb, change: told });
    this.tunnelPeers.set(networkId, after.peers);
    this.remotePorts.set(networkId, after.ports);
  }

  async plugPort(port: PortSpec): Promise<void> {
    checkPort(port);
    this.wired(port.network_id);
    this.ports.set(port.id, port);
  }

  async unplugPort(portId: string): Promise<void> {
    this.ports.delete(checkId('port', portId));
  }

  async updatePortSecurity(port: PortSpec): Promise<void> {
    checkPort(port);
    if (!this.ports.has(port.id)) throw new InvalidDatapathSpec(`port ${port.id} is not plugged on this host`);
    this.ports.set(port.id, port);
  }

  async syncSecurityGroup(group: SecurityGroupSpec): Promise<void> {
    this.securityGroups.set(group.id, checkSecurityGroup(group));
  }

  async deleteSecurityGroup(groupId: string): Promise<void> {
    this.securityGroups.delete(checkId('security group', groupId));
  }

  async ensureRouter(router: RouterSpec): Promise<void> {
    checkRouter(router);
    routerNetworks(router).forEach((networkId) => this.wired(networkId));
    this.routers.set(router.id, router);
  }

  async deleteRouter(routerId: string): Promise<void> {
    this.routers.delete(checkId('router', routerId));
    this.floatingIps.delete(routerId);
  }

  async setFloatingIps(routerId: string, floatingIps: readonly FloatingIpSpec[]): Promise<void> {
    if (this.routers.get(checkId('router', routerId))?.external_gateway == null) throw new InvalidDatapathSpec(`router ${routerId} has no external gateway on this host`);
    floatingIps.forEach((fip) => [fip.floating_ip_address, fip.fixed_ip_address].forEach(checkAddress));
    this.floatingIps.set(routerId, floatingIps);
  }

  async inventory(): Promise<DatapathInventory> {
    const routers = [...this.routers.values()];
    const routerTaps = routers.flatMap((router) => [...router.interfaces, ...(router.external_gateway === null ? [] : [router.external_gateway])].map((end) => tapName(end.port_id)));
    const networks = [...this.networks.values()];
    const dhcp = networks.flatMap((network) => (network.dhcp_port === null ? [] : [{ id: network.id, port: network.dhcp_port.id }]));
    return {
      bridges: networks.map((network) => bridgeName(network.id)),
      taps: [...[...this.ports.keys()].map(tapName), ...dhcp.map((server) => tapName(server.port)), ...routerTaps],
      namespaces: [...dhcp.map((network) => dhcpNamespace(network.id)), ...routers.map((router) => routerNamespace(router.id))],
      dhcpNetworks: dhcp.map((network) => network.id),
      metadataNetworks: this.options.metadata === true ? networks.filter((network) => network.dhcp_port !== null && dhcpMetadataSubnets(network, this.options.forceMetadata ?? false).length > 0).map((network) => network.id) : [],
      metadataRouters: this.options.metadata === true ? routers.map((router) => router.id) : [],
      securedPorts: [...this.ports.values()].filter(hasPortSecurity).map((port) => port.id),
    };
  }

  private wired(networkId: string): NetworkSpec {
    const network = this.networks.get(networkId);
    if (network === undefined) throw new NetworkNotWired(networkId);
    return network;
  }
}
