/**
 * The three resources the scheduler counts and the one place that decides whether they fit a
 * host under its allocation ratios. RamFilter, CoreFilter, DiskFilter and the claim all ask here,
 * so selection and commit can never disagree about what "fits" means.
 */
import type { HostState } from './host-state.js';
import { requestedDiskMb, type RequestSpec } from './request-spec.js';

export interface Resources {
  readonly vcpus: number;
  readonly memoryMb: number;
  /** Local disk: root + ephemeral + swap, in MB. */
  readonly diskMb: number;
}

export function resourcesFor(spec: Readonly<RequestSpec>): Resources {
  return { vcpus: spec.flavor.vcpus, memoryMb: spec.flavor.memoryMb, diskMb: requestedDiskMb(spec) };
}

/** Null when `memoryMb` fits under total × ram_allocation_ratio, else why not (Nova's wording). */
export function checkRam(host: Readonly<HostState>, memoryMb: number): string | null {
  const usable = host.memoryMb * host.ramAllocationRatio - host.memoryMbUsed;
  if (usable >= memoryMb) return null;
  return `${host.host} does not have ${memoryMb} MB usable ram, it only has ${Math.floor(usable)} MB usable ram.`;
}

export function checkCores(host: Readonly<HostState>, vcpus: number): string | null {
  // A node that reports no vCPUs is not accounted (Nova's CoreFilter lets it through).
  if (host.vcpus === 0) return null;
  // An instance may overcommit against others, never against itself.
  if (vcpus > host.vcpus) return `${host.host} has ${host.vcpus} physical vcpus, fewer than the ${vcpus} requested.`;
  const free = host.vcpus * host.cpuAllocationRatio - host.vcpusUsed;
  if (free >= vcpus) return null;
  return `${host.host} does not have ${vcpus} usable vcpus, it only has ${Math.floor(free)} usable vcpus.`;
}

export function checkDisk(host: Readonly<HostState>, diskMb: number): string | null {
  const usable = (host.localGb * host.diskAllocationRatio - host.localGbUsed) * 1024;
  if (usable >= diskMb) return null;
  return `${host.host} does not have ${diskMb} MB usable disk, it only has ${Math.floor(usable)} MB usable disk.`;
}

export function checkFits(host: Readonly<HostState>, resources: Resources): string | null {
  return checkRam(host, resources.memoryMb) ?? checkCores(host, resources.vcpus) ?? checkDisk(host, resources.diskMb);
}
