/**
 * GET /v2.1/servers/{id}/diagnostics (admin): the guest's figures from its host. From 2.48 the
 * standard format every driver shares (views/server_diagnostics.py); before it, the driver's own
 * flat dict, which is the libvirt driver's here (`cpu0_time`, `vda_read`, `memory` in KiB, …).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { versioned } from '../../../common/http/versioned.js';
import type { ServersService } from '../../servers/servers-service.js';
import type { InstanceDiagnostics } from '../../virt/diagnostics.js';
import { powerStateName } from '../../virt/power-state.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';
import { ServerParams } from './servers.js';

/** The standard format: every field present, null where the driver cannot tell. */
function renderDiagnostics(diagnostics: InstanceDiagnostics): Record<string, unknown> {
  const { memory, cpus, nics, disks } = diagnostics;
  return {
    state: powerStateName(diagnostics.state),
    driver: diagnostics.driver,
    hypervisor: diagnostics.hypervisor,
    hypervisor_os: diagnostics.hypervisorOs,
    uptime: diagnostics.uptimeSeconds,
    config_drive: diagnostics.configDrive,
    num_cpus: cpus.length,
    num_nics: nics.length,
    num_disks: disks.length,
    memory_details: { maximum: memory.maximumMb, used: memory.usedMb },
    cpu_details: cpus.map((cpu) => ({ id: cpu.id, time: cpu.timeNs, utilisation: cpu.utilisation })),
    nic_details: nics.map((nic) => ({
      mac_address: nic.macAddress,
      rx_octets: nic.rxOctets, rx_errors: nic.rxErrors, rx_drop: nic.rxDrop, rx_packets: nic.rxPackets, rx_rate: nic.rxRate,
      tx_octets: nic.txOctets, tx_errors: nic.txErrors, tx_drop: nic.txDrop, tx_packets: nic.txPackets, tx_rate: nic.txRate,
    })),
    disk_details: disks.map((disk) => ({
      read_bytes: disk.readBytes, read_requests: disk.readRequests, write_bytes: disk.writeBytes, write_requests: disk.writeRequests, errors_count: disk.errorsCount,
    })),
  };
}

/** The libvirt driver's get_diagnostics dict: counters named by device; what is not known is left out. */
function renderLibvirtDiagnostics(diagnostics: InstanceDiagnostics): Record<string, number> {
  const body: Record<string, number | null> = {};
  for (const cpu of diagnostics.cpus) body[`cpu${cpu.id}_time`] = cpu.timeNs;
  for (const disk of diagnostics.disks) {
    Object.assign(body, {
      [`${disk.device}_read_req`]: disk.readRequests, [`${disk.device}_read`]: disk.readBytes,
      [`${disk.device}_write_req`]: disk.writeRequests, [`${disk.device}_write`]: disk.writeBytes, [`${disk.device}_errors`]: disk.errorsCount,
    });
  }
  for (const nic of diagnostics.nics) {
    Object.assign(body, {
      [`${nic.devname}_rx`]: nic.rxOctets, [`${nic.devname}_rx_packets`]: nic.rxPackets, [`${nic.devname}_rx_errors`]: nic.rxErrors, [`${nic.devname}_rx_drop`]: nic.rxDrop,
      [`${nic.devname}_tx`]: nic.txOctets, [`${nic.devname}_tx_packets`]: nic.txPackets, [`${nic.devname}_tx_errors`]: nic.txErrors, [`${nic.devname}_tx_drop`]: nic.txDrop,
    });
  }
  body['memory'] = diagnostics.memory.maximumMb * 1024;
  body['memory-rss'] = diagnostics.memory.usedMb === null ? null : diagnostics.memory.usedMb * 1024;
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, number] => entry[1] !== null));
}

const VIEW = versioned<(diagnostics: InstanceDiagnostics) => Record<string, unknown>>([
  { min: '2.1', max: '2.47', value: renderLibvirtDiagnostics },
  { min: '2.48', value: renderDiagnostics },
]);

export function serverDiagnosticsRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/servers/:server_id/diagnostics', { schema: { params: ServerParams } }, async (request) => {
      const server = await servers.get(request.requestContext, request.params.server_id);
      authorize(deps, request, 'os_compute_api:os-server-diagnostics', { project_id: server.row.project_id });
      return VIEW.select(request.microversion)(await servers.actions.diagnostics(server));
    });
  };
}
