import type { ServiceRegistry } from '../../common/service/service-registry.js';
import { COMPUTE_BINARY } from '../agent/rpc-api.js';
import type { Server } from './server.js';

/** Nova's fields.HostStatus: the health of the nova-compute a server runs on ('' without one). */
export type HostStatus = 'UP' | 'DOWN' | 'MAINTENANCE' | 'UNKNOWN' | '';

/**
 * compute/api.py get_instances_host_statuses: forced down → DOWN, disabled → MAINTENANCE, heard
 * from recently → UP, silent → UNKNOWN; no host or no service there → ''. One registry read per page.
 */
export async function hostStatuses(registry: ServiceRegistry, servers: readonly Server[]): Promise<Map<string, HostStatus>> {
  const hosts = new Set(servers.flatMap((server) => (server.row.host === null ? [] : [server.row.host])));
  const byHost = new Map<string, HostStatus>();
  if (hosts.size > 0) {
    for (const service of await registry.list({ binary: COMPUTE_BINARY })) {
      if (!hosts.has(service.host)) continue;
      byHost.set(service.host, service.forcedDown ? 'DOWN' : service.disabled ? 'MAINTENANCE' : service.up ? 'UP' : 'UNKNOWN');
    }
  }
  return new Map(servers.map((server) => [server.row.uuid, server.row.host === null ? '' : (byHost.get(server.row.host) ?? '')]));
}
