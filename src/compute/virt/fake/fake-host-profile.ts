import type { DriverCapabilities } from '../capabilities.js';
import type { CpuInfo } from '../host-resources.js';

/** A fake host's size, as get_available_resource reports it. */
export interface FakeHostSize {
  readonly vcpus: number;
  readonly memoryMb: number;
  readonly localGb: number;
}

/**
 * What every fake host shares unless told otherwise. One frozen copy serves a whole fleet, so
 * 10,000 hosts do not carry 10,000 copies.
 */
export const FAKE_HOST_PROFILE = Object.freeze({
  size: Object.freeze({ vcpus: 32, memoryMb: 131072, localGb: 2048 }) satisfies FakeHostSize,
  // Nova's fake driver reports version 1000 (0.1.0 in its encoding); kept so tools read it alike.
  hypervisorVersion: 1000,
  cpuInfo: Object.freeze({
    arch: 'x86_64',
    model: 'Nehalem',
    vendor: 'Intel',
    features: Object.freeze(['pge', 'clflush']),
    topology: Object.freeze({ sockets: 4, cores: 4, threads: 2 }),
  }) satisfies CpuInfo,
  capabilities: Object.freeze({
    supportsPause: true,
    supportsSuspend: true,
    supportsRescue: true,
    supportsSnapshot: true,
    supportsConsoleOutput: true,
    // A fake guest has no screen to show.
    supportsVncConsole: false,
    supportsColdMigration: true,
    supportsMigrateToSameHost: true,
    supportsLiveMigration: true,
    supportsBlockMigration: true,
    supportsLiveMigrationAbort: true,
    supportsLiveMigrationForceComplete: true,
    supportsEvacuate: true,
    supportsAttachVolume: true,
    supportsAttachInterface: true,
    imageFormats: Object.freeze(['raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx', 'iso', 'ami', 'ari', 'aki'] as const),
  }) satisfies DriverCapabilities,
});
