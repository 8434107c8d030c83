/**
 * DevStack's network topology on a cloud's first start: the external flat network `public` with
 * 172.24.4.0/24 (gateway .1, no DHCP; the gateway address lives on nothing outside Nimbus, and
 * nothing reaches the host's uplink unless `[network] uplink` names one), the demo project's
 * `private` network with 10.0.0.0/26, and its `router1` joining them. Each piece is looked up by
 * name first, so a restart (or an operator who removed a piece on purpose and wants it back)
 * makes only what is missing.
 */
import type { ResourceView } from '../../network/plugin/caller.js';
import type { CorePlugin } from '../../network/plugin/network-plugin.js';

export interface TopologyOwners {
  readonly adminProjectId: string;
  readonly demoProjectId: string;
}

const named = (views: readonly ResourceView[], name: string) => views.find((view) => view['name'] === name);
const idOf = (view: ResourceView) => String(view['id']);

export async function ensureDevstackTopology(plugin: CorePlugin, owners: TopologyOwners): Promise<void> {
  const networks = await plugin.networks.list(undefined);
  const publicNet =
    networks.find((view) => view['name'] === 'public' && view['router:external'] === true) ??
    (await plugin.networks.create(owners.adminProjectId, {
      name: 'public',
      'router:external': true,
      shared: false,
      'provider:network_type': 'flat',
      'provider:physical_network': 'public',
    }));
  const publicSubnets = await plugin.subnets.list([idOf(publicNet)]);
  if (named(publicSubnets, 'public-subnet') === undefined) {
    await plugin.subnets.create(owners.adminProjectId, {
      network_id: idOf(publicNet),
      name: 'public-subnet',
      ip_version: 4,
      cidr: '172.24.4.0/24',
      gateway_ip: '172.24.4.1',
      allocation_pools: [{ start: '172.24.4.2', end: '172.24.4.254' }],
      enable_dhcp: false,
    });
  }

  const privateNet =
    networks.find((view) => view['name'] === 'private' && view['project_id'] === owners.demoProjectId) ?? (await plugin.networks.create(owners.demoProjectId, { name: 'private' }));
  const privateSubnet =
    named(await plugin.subnets.list([idOf(privateNet)]), 'private-subnet') ??
    (await plugin.subnets.create(owners.demoProjectId, { network_id: idOf(privateNet), name: 'private-subnet', ip_version: 4, cidr: '10.0.0.0/26', gateway_ip: '10.0.0.1', enable_dhcp: true }));

  const router =
    named(await plugin.routers.list(owners.demoProjectId), 'router1') ??
    (await plugin.routers.create(owners.demoProjectId, { name: 'router1', external_gateway_info: { network_id: idOf(publicNet) } }));
  const ports = await plugin.ports.list(undefined);
  const hasInterface = ports.some(
    (port) =>
      port['device_id'] === idOf(router) &&
      port['device_owner'] === 'network:router_interface' &&
      (port['fixed_ips'] as { subnet_id: string }[]).some((ip) => ip.subnet_id === idOf(privateSubnet)),
  );
  if (!hasInterface) await plugin.routers.addInterface(idOf(router), { subnet_id: idOf(privateSubnet) });
}
