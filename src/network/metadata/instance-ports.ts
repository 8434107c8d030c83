/**
 * Which instance a metadata request comes from, as Neutron's metadata agent tells
 * (neutron/agent/metadata/agent.py `_get_instance_and_tenant_id`): the port holding the request's
 * source address on the proxy's network, or on any network the proxy's router has an interface
 * on. Exactly one such port, a guest's, names the instance (device_id) and its project; none, or
 * several, names nothing.
 */
import type { NetworkStore } from '../db/network-store.js';
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
  const portIds = new Set<string>();
  for (const networkId of await networksOf(store, source)) {
    const allocation = await store.ipAllocations.find(networkId, address);
    if (allocation !== undefined) portIds.add(allocation.port_id);
  }
  if (portIds.size !== 1) return undefined;
  const [port] = await store.ports.where('id', [...portIds]);
  // The network's own ports (DHCP, router ends) carry a router or DHCP id, never an instance's.
  if (port === undefined || port.device_id === '' || port.device_owner.startsWith('network:')) return undefined;
  return { instanceId: port.device_id, projectId: port.project_id };
}
