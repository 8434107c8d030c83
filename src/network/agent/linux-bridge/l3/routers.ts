/**
 * Routers as Neutron's L3 agent lays them out: a namespace `qrouter-<id>` with IP forwarding on
 * (only there: the host's own forwarding is left as it is), a `qr-` end per interface on that
 * subnet's bridge holding the gateway address, a `qg-` end on the external network's bridge
 * holding the gateway address and the floating IPs, and its NAT in nftables in the namespace.
 * With metadata on, the namespace's proxy serves 169.254.169.254 to the router's subnets (Neutron
 * runs one per router from the L3 agent; the DHCP namespaces then serve only isolated subnets).
 * The external bridge is a bridge like any other: nothing enslaves it to a host interface.
 */
import { onSubnet } from '../../cidr.js';
import type { FloatingIpSpec, RouterSpec } from '../../datapath-spec.js';
import { ROUTER_GATEWAY_PREFIX, ROUTER_INTERFACE_PREFIX, routerGatewayDevice, routerInterfaceDevice, routerNamespace, tapName } from '../../device-names.js';
import { ip, run, tryRun } from '../exec.js';
import { attach, ensureVethPair } from '../links.js';
import { METADATA_V6_CIDR, type MetadataProxies } from '../metadata/metadata-proxy.js';
import { deleteNamespace, ensureNamespace, namespaceSysctl, setDeviceAddresses } from '../namespaces.js';
import { routerNatTable } from './router-nat.js';

interface RouterEnd {
  readonly port_id: string;
  readonly network_id: string;
  readonly mac_address: string;
  readonly addresses: readonly string[];
  readonly device: string;
}

/** The devices with this prefix inside the namespace. */
async function devicesIn(namespace: string, prefix: string): Promise<string[]> {
  const listing = JSON.parse(await ip('-n', namespace, '-j', 'link', 'show')) as { ifname: string }[];
  return listing.map((link) => link.ifname).filter((name) => name.startsWith(prefix));
}

export class Routers {
  private readonly floatingIps = new Map<string, readonly FloatingIpSpec[]>();

  /** `wiringOf` gives a wired network's bridge and its MTU; with `metadata`, each router runs a metadata proxy. */
  constructor(
    private readonly wiringOf: (networkId: string) => { readonly mtu: number; readonly bridge: string },
    private readonly metadata?: MetadataProxies,
  ) {}

  async ensure(router: RouterSpec): Promise<void> {
    const namespace = routerNamespace(router.id);
    await ensureNamespace(namespace);
    await namespaceSysctl(namespace, 'net.ipv4.ip_forward', '1');
    await namespaceSysctl(namespace, 'net.ipv6.conf.all.forwarding', '1');
    const fips = this.floatingIps.get(router.id) ?? [];
    // With metadata, each internal end also holds fe80::a9fe:a9fe, so its link's IPv6 guests find the proxy there.
    const metadataV6 = this.metadata !== undefined && (await this.metadata.ipv6()) ? [METADATA_V6_CIDR] : [];
    const ends: RouterEnd[] = router.interfaces.map((end) => ({ ...end, addresses: [onSubnet(end.ip_address, end.cidr), ...metadataV6], device: routerInterfaceDevice(end.port_id) }));
    const gateway = router.external_gateway;
    if (gateway !== null) {
      const addresses = [onSubnet(gateway.ip_address, gateway.cidr), ...fips.map((fip) => `${fip.floating_ip_address}/32`)];
      ends.push({ ...gateway, addresses, device: routerGatewayDevice(gateway.port_id) });
    }
    const wanted = new Set(ends.map((end) => end.device));
    // Deleting the namespace end of a veth deletes its bridge end too.
    for (const device of [...(await devicesIn(namespace, ROUTER_INTERFACE_PREFIX)), ...(await devicesIn(namespace, ROUTER_GATEWAY_PREFIX))]) {
      if (!wanted.has(device)) await ip('-n', namespace, 'link', 'del', 'dev', device);
    }
    for (const end of ends) {
      const { mtu, bridge } = this.wiringOf(end.network_id);
      await ensureVethPair(tapName(end.port_id), end.device, namespace, end.mac_address, mtu);
      await attach(tapName(end.port_id), bridge, mtu);
      await setDeviceAddresses(namespace, end.device, end.addresses, [METADATA_V6_CIDR]);
      await ip('-n', namespace, 'link', 'set', 'dev', end.device, 'up');
    }
    if (gateway?.gateway_ip != null) await ip('-n', namespace, 'route', 'replace', 'default', 'via', gateway.gateway_ip);
    else await tryRun('ip', ['-n', namespace, 'route', 'del', 'default']);
    // The redirect and the proxy port's guard are in force before the proxy listens.
    await run('nft', ['-f', '-'], { namespace, input: routerNatTable(router, fips, this.metadata !== undefined, metadataV6.length > 0) });
    await this.metadata?.ensure({ kind: 'router', id: router.id, namespace });
  }

  async servesMetadata(routerId: string): Promise<boolean> {
    return (await this.metadata?.running(routerId)) === true;
  }

  async setFloatingIps(router: RouterSpec, floatingIps: readonly FloatingIpSpec[]): Promise<void> {
    const previous = this.floatingIps.get(router.id);
    this.floatingIps.set(router.id, floatingIps);
    try {
      await this.ensure(router);
    } catch (error) {
      if (previous === undefined) this.floatingIps.delete(router.id);
      else this.floatingIps.set(router.id, previous);
      throw error;
    }
  }

  /** The proxy ends first (a process inside keeps a namespace alive); deleting the namespace takes its ends, their veth peers and its NAT table with it. */
  async remove(routerId: string): Promise<void> {
    await this.metadata?.remove(routerId);
    await deleteNamespace(routerNamespace(routerId));
    this.floatingIps.delete(routerId);
  }
}
