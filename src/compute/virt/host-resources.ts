/** The host's CPU as the scheduler's ComputeCapabilities filter and os-hypervisors show it. */
export interface CpuInfo {
  readonly arch: string;
  readonly model: string;
  readonly vendor: string;
  readonly features: readonly string[];
  readonly topology: { readonly sockets: number; readonly cores: number; readonly threads: number };
}

/**
 * What a host has and what its guests use (Nova's get_available_resource). Read at agent start
 * and by the periodic resource audit; the agent reports it to the scheduler and os-hypervisors.
 */
export interface HostResources {
  readonly hypervisorHostname: string;
  /** `fake`, `QEMU` or `KVM`: the names os-hypervisors shows. */
  readonly hypervisorType: string;
  /** Nova's integer encoding, major × 1,000,000 + minor × 1,000 + patch (QEMU 7.2.0 → 7002000). */
  readonly hypervisorVersion: number;
  readonly vcpus: number;
  readonly vcpusUsed: number;
  readonly memoryMb: number;
  readonly memoryMbUsed: number;
  readonly localGb: number;
  readonly localGbUsed: number;
  /** Guests defined on the host, whatever their power state. */
  readonly runningVms: number;
  readonly cpuInfo: CpuInfo;
}
