import type { FastifyRequest } from 'fastify';
import type { HostedServer, Hypervisor } from '../../admin/hypervisors.js';

/** Nova's 2.53 switch: hypervisors and their services are named by uuid. */
export const UUID_FOR_ID = '2.53';

/** 2.88 drops the usage figures and cpu_info from the detail view, and the statistics call. */
export const LAST_WITH_STATISTICS = '2.87';

const STAT_FIELDS = ['vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used', 'local_gb_used', 'free_ram_mb', 'free_disk_gb', 'current_workload', 'running_vms', 'disk_available_least'] as const;

export interface HypervisorView {
  readonly detail: boolean;
  /** Servers on the hypervisor's host when the request asked for them (with_servers, /servers). */
  readonly servers?: readonly HostedServer[];
}

/** The usage figures Nova prints until 2.87 (2.88 drops them from the detail view). */
function statistics({ node, runningVms, currentWorkload }: Hypervisor): Record<(typeof STAT_FIELDS)[number], number | null> {
  return {
    vcpus: node.vcpus,
    memory_mb: node.memory_mb,
    local_gb: node.local_gb,
    vcpus_used: node.vcpus_used,
    memory_mb_used: node.memory_mb_used,
    local_gb_used: node.local_gb_used,
    free_ram_mb: node.memory_mb - node.memory_mb_used,
    free_disk_gb: node.local_gb - node.local_gb_used,
    current_workload: currentWorkload,
    running_vms: runningVms,
    disk_available_least: node.disk_available_least,
  };
}

/** cpu_info: the driver's JSON text until 2.27, an object from 2.28 ({} when empty). */
function cpuInfo(request: FastifyRequest, text: string): unknown {
  if (!request.microversion.isAtLeast('2.28')) return text;
  return text === '' ? {} : (JSON.parse(text) as unknown);
}

/** Nova's _view_hypervisor. */
export function renderHypervisor(request: FastifyRequest, hypervisor: Hypervisor, view: HypervisorView): Record<string, unknown> {
  const version = request.microversion;
  const uuidForId = version.isAtLeast(UUID_FOR_ID);
  const { node, service } = hypervisor;
  const rendered: Record<string, unknown> = {
    id: uuidForId ? node.uuid : node.id,
    hypervisor_hostname: node.hypervisor_hostname,
    state: service.up ? 'up' : 'down',
    status: service.disabled ? 'disabled' : 'enabled',
  };
  if (view.detail) {
    Object.assign(rendered, {
      hypervisor_type: node.hypervisor_type,
      hypervisor_version: node.hypervisor_version,
      host_ip: node.host_ip,
      service: { id: uuidForId ? service.uuid : service.id, host: node.host, disabled_reason: service.disabledReason },
    });
    if (version.isAtMost(LAST_WITH_STATISTICS)) {
      Object.assign(rendered, { ...statistics(hypervisor), cpu_info: cpuInfo(request, node.cpu_info) });
    } else {
      // 2.88 adds the host's uptime; Nova prints null where the driver cannot tell, as ours cannot.
      rendered['uptime'] = null;
    }
  }
  if (view.servers !== undefined && view.servers.length > 0) {
    rendered['servers'] = view.servers.map((server) => ({ name: server.name, uuid: server.uuid }));
  } else if (view.servers !== undefined && version.isAtLeast('2.75')) {
    // 2.75: asked-for servers are always present, [] when the host runs none.
    rendered['servers'] = [];
  }
  return rendered;
}

/** GET /os-hypervisors/statistics (2.1–2.87): the sums over every listed hypervisor. */
export function renderStatistics(hypervisors: readonly Hypervisor[]): Record<string, number> {
  const stats: Record<string, number> = { count: hypervisors.length };
  const all = hypervisors.map(statistics);
  for (const field of STAT_FIELDS) stats[field] = all.reduce((sum, item) => sum + Number(item[field] ?? 0), 0);
  return stats;
}
