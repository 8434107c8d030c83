/**
 * The core plugin as the API sees it once agents run: each write goes to the plugin unchanged,
 * then (Neutron's AFTER_CREATE/UPDATE/DELETE callbacks) the agents that must act are told, and
 * Nova hears of guests' ports that went away and of floating IPs that came to or left them. A failure to notify is logged and never fails the
 * request: the agents' resync repairs what a lost message missed.
 */
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { NetworkStore } from '../db/network-store.js';
import type { ResourceView } from '../plugin/caller.js';
import type { CorePlugin } from '../plugin/network-plugin.js';
import type { PortUpdate } from '../plugin/ports.js';
import type { AgentNotifier } from './agent-notifier.js';
import type { RouterEnd } from './host-state.js';
import { changedEvent, deletedEvent, statusEvent, type NovaNotifier } from './nova-notifier.js';

const LOG = getLogger('nimbus.network.server');

/** `target` with some methods replaced; every other member is the target's own, bound to it (its private fields stay reachable). */
function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.prototype.hasOwnProperty.call(overrides, property)) return (overrides as Record<PropertyKey, unknown>)[property];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

export function notifyingPlugin(plugin: CorePlugin, store: NetworkStore, agents: AgentNotifier, nova: NovaNotifier): CorePlugin {
  const after = async (what: string, notify: () => Promise<void>): Promise<void> => {
    try {
      await notify();
    } catch (error) {
      LOG.warning(`Agents or Nova were not told of ${what}: ${messageOf(error)}`);
    }
  };
  const { networks, subnets, ports, securityGroups, routers, floatingIps } = plugin;
  const subnetNetwork = async (id: string) => (await store.subnets.find(id))?.network_id;

  const routerChange = async <T>(routerIds: () => Promise<readonly (string | null)[]>, change: () => Promise<T>): Promise<T> => {
    const ids = (await routerIds()).filter((id): id is string => id !== null);
    const before = new Map<string, RouterEnd[]>();
    for (const id of ids) before.set(id, await agents.routerEnds(id));
    const result = await change();
    const afterIds = new Set([...ids, ...(await routerIds()).filter((id): id is string => id !== null)]);
    await after(`a change of router(s) ${[...afterIds].join(', ')}`, async () => {
      for (const id of afterIds) await agents.routerChanged(id, before.get(id) ?? []);
    });
    return result;
  };
  // A router taking or leaving a subnet's gateway makes the subnet routed or isolated: its network's DHCP (and metadata route) follows.
  const interfaceChange = async (id: string, change: () => Promise<ResourceView>): Promise<ResourceView> => {
    const info = await routerChange(async () => [id], change);
    const networkId = String(info['network_id']);
    await after(`network ${networkId}`, () => agents.networkChanged(networkId));
    return info;
  };
  const updatePort = async (id: string, body: PortUpdate): Promise<ResourceView> => {
    const before = await store.ports.find(id);
    // l2population tells the other hosts which addresses went and came.
    const addressesBefore = (await store.ipAllocations.ofPorts([id])).map((row) => row.ip_address);
    const view = await ports.update(id, body);
    const now = await store.ports.find(id);
    await after(`port ${id}`, () => agents.portChanged(before, now, addressesBefore));
    if (before !== undefined && now !== undefined) nova.queue(statusEvent(now, before.status, now.status));
    return view;
  };
  const floatingRouter = async (id: string) => [(await store.floatingIps.find(id))?.router_id ?? null];
  // Neutron's send_network_change: the guests behind these ports have a floating IP more or less (Nova re-reads their addresses).
  const floatingMoved = (what: string, portIds: readonly unknown[]) =>
    after(what, async () => {
      for (const portId of new Set(portIds)) {
        if (typeof portId !== 'string') continue;
        const port = await store.ports.find(portId);
        if (port !== undefined) nova.queue(changedEvent(port));
      }
    });

  return {
    ...plugin,
    networks: overriding(networks, {
      update: async (id, body) => {
        const view = await networks.update(id, body);
        await after(`network ${id}`, () => agents.networkChanged(id));
        return view;
      },
      delete: async (id) => {
        await networks.delete(id);
        await after(`the deletion of network ${id}`, () => agents.networkDeleted(id));
      },
    }),
    subnets: overriding(subnets, {
      create: async (projectId, body) => {
        const view = await subnets.create(projectId, body);
        await after(`a subnet of network ${body.network_id}`, () => agents.networkChanged(body.network_id));
        return view;
      },
      update: async (id, body) => {
        const view = await subnets.update(id, body);
        const networkId = await subnetNetwork(id);
        if (networkId !== undefined) await after(`subnet ${id}`, () => agents.networkChanged(networkId));
        return view;
      },
      delete: async (id) => {
        const networkId = await subnetNetwork(id);
        await subnets.delete(id);
        if (networkId !== undefined) await after(`the deletion of subnet ${id}`, () => agents.networkChanged(networkId));
      },
    }),
    ports: overriding(ports, {
      create: async (projectId, body) => {
        const view = await ports.create(projectId, body);
        const id = String(view['id']);
        await after(`port ${id}`, async () => agents.portChanged(undefined, await store.ports.find(id)));
        return view;
      },
      update: async (id, body) => {
        // A router's port is part of the router: the l3 host rewires it (Neutron's routers_updated), its network's DHCP follows.
        const link = await store.routerPorts.ofPort(id);
        return link === undefined ? updatePort(id, body) : interfaceChange(link.router_id, () => updatePort(id, body));
      },
      delete: async (id) => {
        const before = await store.ports.find(id);
        await ports.delete(id);
        if (before === undefined) return;
        await after(`the deletion of port ${id}`, () => agents.portChanged(before, undefined));
        nova.queue(deletedEvent(before));
      },
    }),
    securityGroups: overriding(securityGroups, {
      delete: async (id, isAdmin) => {
        await securityGroups.delete(id, isAdmin);
        await after(`the deletion of security group ${id}`, () => agents.groupDeleted(id));
      },
      createRule: async (projectId, body) => {
        const view = await securityGroups.createRule(projectId, body);
        await after(`a rule of security group ${body.security_group_id}`, () => agents.groupChanged(body.security_group_id));
        return view;
      },
      deleteRule: async (id) => {
        const groupId = (await store.securityGroupRules.find(id))?.security_group_id;
        await securityGroups.deleteRule(id);
        if (groupId !== undefined) await after(`the deletion of rule ${id}`, () => agents.groupChanged(groupId));
      },
    }),
    routers: overriding(routers, {
      create: async (projectId, body) => {
        const view = await routers.create(projectId, body);
        const id = String(view['id']);
        await after(`router ${id}`, () => agents.routerChanged(id, []));
        return view;
      },
      update: (id, body) => routerChange(async () => [id], () => routers.update(id, body)),
      delete: (id) => routerChange(async () => [id], () => routers.delete(id)),
      addInterface: (id, request) => interfaceChange(id, () => routers.addInterface(id, request)),
      removeInterface: (id, request) => interfaceChange(id, () => routers.removeInterface(id, request)),
    }),
    floatingIps: overriding(floatingIps, {
      create: async (projectId, body) => {
        const view = await floatingIps.create(projectId, body);
        const routerId = view['router_id'];
        if (typeof routerId === 'string') await after(`floating IP ${String(view['id'])}`, () => agents.routerChanged(routerId, []));
        await floatingMoved(`floating IP ${String(view['id'])}`, [view['port_id']]);
        return view;
      },
      update: async (id, body) => {
        const before = await store.floatingIps.find(id);
        const view = await routerChange(() => floatingRouter(id), () => floatingIps.update(id, body));
        // A floating IP moved to another fixed IP of the same port changes that guest's addresses too.
        const moved = before !== undefined && (before.port_id !== view['port_id'] || before.fixed_ip_address !== view['fixed_ip_address']);
        if (moved) await floatingMoved(`floating IP ${id}`, [before.port_id, view['port_id']]);
        return view;
      },
      delete: async (id) => {
        const before = await store.floatingIps.find(id);
        await routerChange(() => floatingRouter(id), () => floatingIps.delete(id));
        await floatingMoved(`the deletion of floating IP ${id}`, [before?.port_id]);
      },
    }),
  };
}
