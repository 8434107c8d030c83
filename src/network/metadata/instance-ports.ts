/**
 * Which instance a metadata request comes from, as Neutron's metadata agent tells
 * (neutron/agent/metadata/agent.py `_get_instance_and_tenant_id`): the port holding the request's
 * source address on the proxy's network, or on any network the proxy's router has an interface
 * on. Exactly one such port, a guest's, names the instance (device_id) and its project; none, or
 * several, names nothing. An IPv6 guest asking fe80::a9fe:a9fe sends from its link-local address,
 * which no port holds: the port is then the one with the MAC that address was formed from.
 */
import type { NetworkStore } from '../db/network-store.js';
import { formatIp, macOfLinkLocal, parseIp, unmapIpv4 } from '../ipam/ip-address.js';
import { ROUTER_INTERFACE_OWNERS } from '../plugin/routers.js';

/** Where the request entered: a network's DHCP namespace or a router's namespace. */
export type ProxySource = { readonly networkId: string } | { readonly routerId: string };

export interface InstanceOfPort {
  readonly instanceId: string;
  readonly projectId: string;
}

async function networksOf(store: NetworkStore, source: ProxySource): Promise<string[]> {
  if ('networkId' in source) return [source.networkId];
  const owned = await store.routerPorts.ofRouter(source.routerId);
  const ports = await store.ports.where(
    'id',
    owned.map((port) => port.port_id),
  );
  return [...new Set(ports.filter((port) => ROUTER_INTERFACE_OWNERS.has(port.device_owner)).map((port) => port.network_id))];
}

export async function instanceOfAddress(store: NetworkStore, address: string, source: ProxySource): Promise<InstanceOfPort | undefined> {
  const parsed = parseIp(address);
  if (parsed === undefined) return undefined;
  const networks = await networksOf(store, source);
  const mac = macOfLinkLocal(parsed);
  const portIds = new Set<string>();
  if (mac === undefined) {
    // Stored addresses are in their canonical form.
    const canonical = formatIp(unmapIpv4(parsed));
    for (const networkId of networks) {
      const allocation = await store.ipAllocations.find(networkId, canonical);
      if (allocation !== undefined) portIds.add(allocation.port_id);
    }
  } else {
    for (const port of await store.ports.where('mac_address', [mac])) if (networks.includes(port.network_id)) portIds.add(port.id);
  }
  if (portIds.size !== 1) return undefined;
  const [port] = await store.ports.where('id', [...portIds]);
  // The network's own ports (DHCP, router ends) carry a router or DHCP id, never an instance's.
  if (port === undefined || port.device_id === '' || port.device_owner.startsWith('network:')) return undefined;
  return { instanceId: port.device_id, projectId: port.project_id };
}
