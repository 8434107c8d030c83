import type { NimbusConfig } from '../../common/config/options.js';
import type { Database } from '../../common/db/database.js';
import { NetworkStore } from '../db/network-store.js';
import { AgentRegistry } from './agents.js';
import { FloatingIpPlugin } from './floating-ips.js';
import { NetworkPlugin } from './networks.js';
import type { PluginDeps } from './plugin-deps.js';
import { PortPlugin } from './ports.js';
import { QuotaPlugin, type QuotaLimits } from './quotas.js';
import { RouterPlugin } from './routers.js';
import { SecurityGroupPlugin } from './security-groups.js';
import { parseSegmentConfig } from './segments.js';
import { SubnetPoolPlugin } from './subnet-pools.js';
import { SubnetPlugin } from './subnets.js';
import { TagPlugin } from './tags.js';

/** Neutron's core and L3 plugins: one part per resource kind, sharing the network store. */
export interface CorePlugin {
  readonly networks: NetworkPlugin;
  readonly subnets: SubnetPlugin;
  readonly subnetPools: SubnetPoolPlugin;
  readonly ports: PortPlugin;
  readonly securityGroups: SecurityGroupPlugin;
  readonly routers: RouterPlugin;
  readonly floatingIps: FloatingIpPlugin;
  readonly quotas: QuotaPlugin;
  readonly tags: TagPlugin;
  /** The agents' reports (Neutron's AgentDbMixin of the ML2 plugin). */
  readonly agents: AgentRegistry;
}

/** Neutron's agent_down_time default, seconds. */
const DEFAULT_AGENT_DOWN_TIME = 75;

/** `agents` defaults to a registry of its own; pass the one that is also `deps.bindingHosts` to bind only where agents live. */
export function createCorePlugin(deps: PluginDeps, agents = new AgentRegistry(deps.store, deps.agentDownTimeSeconds ?? DEFAULT_AGENT_DOWN_TIME)): CorePlugin {
  const quotas = new QuotaPlugin(deps.store, deps.quotaDefaults);
  const securityGroups = new SecurityGroupPlugin(deps, quotas);
  const ports = new PortPlugin(deps, quotas, securityGroups);
  const subnetPools = new SubnetPoolPlugin(deps.store);
  return {
    networks: new NetworkPlugin(deps, quotas, securityGroups),
    subnets: new SubnetPlugin(deps, quotas, subnetPools),
    subnetPools,
    ports,
    securityGroups,
    routers: new RouterPlugin(deps, quotas, ports),
    floatingIps: new FloatingIpPlugin(deps, quotas, ports),
    quotas,
    tags: new TagPlugin(deps.store),
    agents,
  };
}

/** The plugin's dependencies from [network]; ports bind to any host unless `bindingHosts` says otherwise. */
export function pluginDeps(database: Database, config: NimbusConfig['network'], now?: () => Date): PluginDeps {
  const quotaDefaults: QuotaLimits = {
    network: config.quota_network,
    subnet: config.quota_subnet,
    port: config.quota_port,
    router: config.quota_router,
    floatingip: config.quota_floatingip,
    security_group: config.quota_security_group,
    security_group_rule: config.quota_security_group_rule,
  };
  return {
    store: NetworkStore.open(database, now),
    segments: parseSegmentConfig(config),
    physnetMtu: config.global_physnet_mtu,
    quotaDefaults,
    agentDownTimeSeconds: config.agent_down_time,
  };
}

/** The plugin over a database, configured from [network]. */
export function createNetworkPlugin(database: Database, config: NimbusConfig['network'], now?: () => Date): CorePlugin {
  return createCorePlugin(pluginDeps(database, config, now));
}
