/**
 * A running guest's diagnostics, read as Nova's libvirt driver gets them from libvirt: vCPUs
 * from query-cpus-fast with each vCPU thread's CPU time from /proc, disk counters from
 * query-blockstats, interface counters from the host taps, memory from the definition (given)
 * and QEMU's resident set (used: there is no balloon to ask, so this is what the guest costs the
 * host, TCG's code buffer and QEMU itself included), uptime from the QEMU process's age.
 */
import { type DiskDiagnostics, type InstanceDiagnostics, type NicDiagnostics, virtioDiskName } from '../diagnostics.js';
import { PowerState } from '../power-state.js';
import type { DiskDefinition, NicDefinition, VmDefinition } from './argv/vm-definition.js';
import { processAgeSeconds, residentMb, threadCpuTimeNs } from './host/proc-stats.js';
import { netdevCounters } from './host/tap-stats.js';
import { CONFIG_DRIVE_DISK_ID } from './instance-definition.js';
import { pidOf } from './process/qemu-process.js';
import type { InstanceDir } from './instance/instance-dir.js';
import { type BlockStats, type QmpMonitor, qmp } from './qmp/index.js';

function diskDiagnostics(disk: DiskDefinition, index: number, stats: readonly BlockStats[]): DiskDiagnostics {
  const counters = stats.find((entry) => entry['node-name'] === disk.id)?.stats;
  return {
    device: virtioDiskName(index),
    readBytes: counters?.rd_bytes ?? null,
    readRequests: counters?.rd_operations ?? null,
    writeBytes: counters?.wr_bytes ?? null,
    writeRequests: counters?.wr_operations ?? null,
    errorsCount: counters === undefined ? null : counters.failed_rd_operations + counters.failed_wr_operations + counters.failed_flush_operations,
  };
}

/** The host tap receives what the guest sends: its counters swapped are the guest's (as libvirt reports them). */
async function nicDiagnostics(nic: NicDefinition): Promise<NicDiagnostics> {
  const tap = await netdevCounters(nic.devname);
  return {
    macAddress: nic.mac,
    devname: nic.devname,
    rxOctets: tap?.txBytes ?? null,
    rxErrors: tap?.txErrors ?? null,
    rxDrop: tap?.txDropped ?? null,
    rxPackets: tap?.txPackets ?? null,
    rxRate: null,
    txOctets: tap?.rxBytes ?? null,
    txErrors: tap?.rxErrors ?? null,
    txDrop: tap?.rxDropped ?? null,
    txPackets: tap?.rxPackets ?? null,
    txRate: null,
  };
}

/** The caller checked the guest is RUNNING (its monitor answers). */
export async function guestDiagnostics(monitor: QmpMonitor, dir: InstanceDir, definition: VmDefinition): Promise<InstanceDiagnostics> {
  const [cpus, blockStats, pid] = await Promise.all([qmp.queryCpusFast(monitor), qmp.queryBlockstats(monitor), pidOf(dir)]);
  const disks = [...definition.disks, ...definition.volumes.map((volume) => volume.disk)];
  // A running QEMU always wrote its pid file; without one the process figures are unknown.
  const ofQemu = <T>(read: (pid: number) => Promise<T | undefined>): Promise<T | undefined> => (pid === undefined ? Promise.resolve(undefined) : read(pid));
  const [cpuTimes, uptime, used, nics] = await Promise.all([
    Promise.all(cpus.map((cpu) => ofQemu((qemu) => threadCpuTimeNs(qemu, cpu['thread-id'])))),
    ofQemu(processAgeSeconds),
    ofQemu(residentMb),
    Promise.all(definition.nics.map(nicDiagnostics)),
  ]);
  return {
    state: PowerState.RUNNING,
    driver: 'libvirt',
    hypervisor: definition.accelerator === 'kvm' ? 'kvm' : 'qemu',
    hypervisorOs: 'linux',
    uptimeSeconds: uptime ?? null,
    configDrive: definition.disks.some((disk) => disk.id === CONFIG_DRIVE_DISK_ID),
    memory: { maximumMb: definition.memoryMb, usedMb: used ?? null },
    cpus: cpus.map((cpu, index) => ({ id: cpu['cpu-index'], timeNs: cpuTimes[index] ?? null, utilisation: null })),
    nics,
    disks: disks.map((disk, index) => diskDiagnostics(disk, index, blockStats)),
  };
}
