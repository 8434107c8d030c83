import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import type { Hypervisor } from '../../admin/hypervisors.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

export const HypervisorParams = Type.Object({ hypervisor_id: Type.String() });

function renderBrief(hypervisor: Hypervisor): Record<string, unknown> {
  const { service } = hypervisor;
  return {
    id: hypervisor.node.id,
    hypervisor_hostname: hypervisor.node.hypervisor_hostname,
    state: service?.up === true ? 'up' : 'down',
    status: service?.disabled === true ? 'disabled' : 'enabled',
  };
}

/** Detail at 2.1 (views of hypervisors.py _view_hypervisor with detail). */
function renderDetail(hypervisor: Hypervisor): Record<string, unknown> {
  const { node, service } = hypervisor;
  return {
    ...renderBrief(hypervisor),
    vcpus: node.vcpus,
    memory_mb: node.memory_mb,
    local_gb: node.local_gb,
    vcpus_used: node.vcpus_used,
    memory_mb_used: node.memory_mb_used,
    local_gb_used: node.local_gb_used,
    hypervisor_type: node.hypervisor_type,
    hypervisor_version: node.hypervisor_version,
    free_ram_mb: node.memory_mb - node.memory_mb_used,
    free_disk_gb: node.local_gb - node.local_gb_used,
    current_workload: hypervisor.currentWorkload,
    running_vms: hypervisor.runningVms,
    disk_available_least: node.disk_available_least,
    host_ip: node.host_ip,
    service: { host: node.host, id: service?.id ?? null, disabled_reason: service?.disabledReason ?? null },
    cpu_info: node.cpu_info,
  };
}

const STAT_FIELDS = ['vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used', 'local_gb_used', 'free_ram_mb', 'free_disk_gb', 'current_workload', 'running_vms', 'disk_available_least'] as const;

/** /v2.1/os-hypervisors: list, detail, statistics and show (admin). */
export function hypervisorRoutes(deps: ComputeRouteDeps, admin: ComputeAdmin): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/os-hypervisors', async (request) => {
      authorize(deps, request, 'os_compute_api:os-hypervisors:list', {});
      return { hypervisors: (await admin.hypervisors.list()).map(renderBrief) };
    });

    app.get('/v2.1/os-hypervisors/detail', async (request) => {
      authorize(deps, request, 'os_compute_api:os-hypervisors:list-detail', {});
      return { hypervisors: (await admin.hypervisors.list()).map(renderDetail) };
    });

    app.get('/v2.1/os-hypervisors/statistics', async (request) => {
      authorize(deps, request, 'os_compute_api:os-hypervisors:statistics', {});
      const all = (await admin.hypervisors.list()).map(renderDetail);
      const stats: Record<string, number> = { count: all.length };
      for (const field of STAT_FIELDS) stats[field] = all.reduce((sum, item) => sum + Number(item[field] ?? 0), 0);
      return { hypervisor_statistics: stats };
    });

    app.get('/v2.1/os-hypervisors/:hypervisor_id', { schema: { params: HypervisorParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-hypervisors:show', {});
      return { hypervisor: renderDetail(await admin.hypervisors.get(request.params.hypervisor_id)) };
    });
  };
}
