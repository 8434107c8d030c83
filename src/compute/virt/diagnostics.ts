import type { PowerState } from './power-state.js';

/**
 * A running guest's figures, as a driver reads them (Nova's Diagnostics object, typed). The API
 * shows them in the 2.48 standard format, or as the libvirt driver's flat dict before 2.48. A
 * figure the hypervisor cannot tell is null, as in Nova.
 */
export interface InstanceDiagnostics {
  readonly state: PowerState;
  /** Nova's HypervisorDriver name; clients (Tempest) accept only Nova's in-tree drivers. */
  readonly driver: DiagnosticsDriver;
  /** Nova's libvirt virt_type: `qemu` (TCG) or `kvm`. */
  readonly hypervisor: string | null;
  readonly hypervisorOs: string | null;
  /** Seconds the guest's process has run. */
  readonly uptimeSeconds: number | null;
  readonly configDrive: boolean;
  readonly memory: MemoryDiagnostics;
  /** One per vCPU, by id. */
  readonly cpus: readonly CpuDiagnostics[];
  /** One per interface, in port order. */
  readonly nics: readonly NicDiagnostics[];
  /** One per disk, in the order the guest names them (vda, vdb, …). */
  readonly disks: readonly DiskDiagnostics[];
}

export type DiagnosticsDriver = 'libvirt' | 'xenapi' | 'vmwareapi' | 'ironic' | 'hyperv';

export interface MemoryDiagnostics {
  /** What the guest was given (the flavor's RAM). */
  readonly maximumMb: number;
  /** What the guest costs the host now. */
  readonly usedMb: number | null;
}

export interface CpuDiagnostics {
  readonly id: number;
  /** CPU time the vCPU ran, in nanoseconds. */
  readonly timeNs: number | null;
  /** Percent of a host CPU. */
  readonly utilisation: number | null;
}

/** An interface's counters as the guest sees them (its rx is the host tap's tx). */
export interface NicDiagnostics {
  readonly macAddress: string;
  /** The host device, which names the counters in the pre-2.48 view. */
  readonly devname: string;
  readonly rxOctets: number | null;
  readonly rxErrors: number | null;
  readonly rxDrop: number | null;
  readonly rxPackets: number | null;
  readonly rxRate: number | null;
  readonly txOctets: number | null;
  readonly txErrors: number | null;
  readonly txDrop: number | null;
  readonly txPackets: number | null;
  readonly txRate: number | null;
}

export interface DiskDiagnostics {
  /** The guest's name for it (`vda`), which names the counters in the pre-2.48 view. */
  readonly device: string;
  readonly readBytes: number | null;
  readonly readRequests: number | null;
  readonly writeBytes: number | null;
  readonly writeRequests: number | null;
  /** Failed reads, writes and flushes. */
  readonly errorsCount: number | null;
}

/** The guest's name of its n-th virtio disk, as Linux names them: vda … vdz, vdaa …. */
export function virtioDiskName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(97 + ((n - 1) % 26)) + name;
  return `vd${name}`;
}
