/**
 * A fake guest's diagnostics: fixed figures (Nova's fake driver's, per device) in the shape the
 * guest has, one per vCPU of its flavor, disk (root, config drive, volumes) and interface.
 */
import { type InstanceDiagnostics, virtioDiskName } from '../diagnostics.js';
import type { FakeGuest } from './fake-guest.js';

const UPTIME_SECONDS = 46_664;
const CPU_TIME_NS = 17_300_000_000;

export function fakeDiagnostics(guest: FakeGuest): InstanceDiagnostics {
  const { flavor, configDrive, network } = guest.spec;
  const diskCount = 1 + (configDrive ? 1 : 0) + guest.volumes.size;
  return {
    state: guest.powerState,
    driver: 'libvirt',
    hypervisor: 'fake',
    hypervisorOs: 'linux',
    uptimeSeconds: UPTIME_SECONDS,
    configDrive,
    memory: { maximumMb: flavor.memoryMb, usedMb: flavor.memoryMb },
    cpus: Array.from({ length: flavor.vcpus }, (_, id) => ({ id, timeNs: CPU_TIME_NS, utilisation: null })),
    nics: network.map((vif) => ({
      macAddress: vif.mac, devname: vif.devname,
      rxOctets: 2_070_139, rxErrors: 0, rxDrop: 0, rxPackets: 26_701, rxRate: null,
      txOctets: 140_208, txErrors: 0, txDrop: 0, txPackets: 662, txRate: null,
    })),
    disks: Array.from({ length: diskCount }, (_, index) => ({
      device: virtioDiskName(index), readBytes: 262_144, readRequests: 112, writeBytes: 5_778_432, writeRequests: 488, errorsCount: 0,
    })),
  };
}
