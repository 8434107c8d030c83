import type { NimbusConfig } from '../../common/config/options.js';
import type { Database } from '../../common/db/database.js';
import { NetworkStore } from '../db/network-store.js';
import { FloatingIpPlugin } from './floating-ips.js';
import { NetworkPlugin } from './networks.js';
import type { PluginDeps } from './plugin-deps.js';
import { PortPlugin } from './ports.js';
import { QuotaPlugin, type QuotaLimits } from './quotas.js';
import { RouterPlugin } from './routers.js';
import { SecurityGroupPlugin } from './security-groups.js';
import { parseSegmentConfig } from './segments.js';
import { SubnetPlugin } from './subnets.js';
import { TagPlugin } from './tags.js';

/** Neutron's core and L3 plugins: one part per resource kind, sharing the network store. */
export interface CorePlugin {
  readonly networks: NetworkPlugin;
  readonly subnets: SubnetPlugin;
  readonly ports: PortPlugin;
  readonly securityGroups: SecurityGroupPlugin;
  readonly routers: RouterPlugin;
  readonly floatingIps: FloatingIpPlugin;
  readonly quotas: QuotaPlugin;
  readonly tags: TagPlugin;
}

export function createCorePlugin(deps: PluginDeps): CorePlugin {
  const quotas = new QuotaPlugin(deps.store, deps.quotaDefaults);
  const securityGroups = new SecurityGroupPlugin(deps, quotas);
  const ports = new PortPlugin(deps, quotas, securityGroups);
  return {
    networks: new NetworkPlugin(deps, quotas),
    subnets: new SubnetPlugin(deps, quotas),
    ports,
    securityGroups,
    routers: new RouterPlugin(deps, quotas, ports),
    floatingIps: new FloatingIpPlugin(deps, quotas, ports),
    quotas,
    tags: new TagPlugin(deps.store),
  };
}

/** The plugin over a database, configured from [network]. */
export function createNetworkPlugin(database: Database, config: NimbusConfig['network'], now?: () => Date): CorePlugin {
  const quotaDefaults: QuotaLimits = {
    network: config.quota_network,
    subnet: config.quota_subnet,
    port: config.quota_port,
    router: config.quota_router,
    floatingip: config.quota_floatingip,
    security_group: config.quota_security_group,
    security_group_rule: config.quota_security_group_rule,
  };
  return createCorePlugin({
    store: NetworkStore.open(database, now),
    segments: parseSegmentConfig(config),
    physnetMtu: config.global_physnet_mtu,
    quotaDefaults,
  });
}
