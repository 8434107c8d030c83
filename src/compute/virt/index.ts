/**
 * @module The compute virt driver seam: the ComputeDriver contract, the types it speaks in, and
 * the registry composition roots pick a driver from.
 */
import type { ComputeDriver } from './driver.js';
import type { FakeDriverOptions } from './fake/fake-driver.js';
import { FakeDriver } from './fake/fake-driver.js';
import type { QemuDriverOptions } from './qemu/driver.js';
import { QemuDriver } from './qemu/driver.js';
import { qemuSystemBinary } from './qemu/host/qemu-binary.js';

export { hostPaths } from './qemu/instance/instance-dir.js';

export type { CapabilityFlag, DriverCapabilities } from './capabilities.js';
export type * from './driver.js';
export * from './errors.js';
export type { CpuInfo, HostResources } from './host-resources.js';
export type * from './instance-spec.js';
export { POWER_STATE_NAMES, PowerState, powerStateName } from './power-state.js';

/** Each driver's options, by name: what `createDriver` accepts. */
export interface DriverOptionsByName {
  fake: FakeDriverOptions;
  qemu: QemuDriverOptions;
}

export type DriverName = keyof DriverOptionsByName;

const DRIVERS: { readonly [N in DriverName]: (options: DriverOptionsByName[N]) => ComputeDriver } = {
  fake: (options) => new FakeDriver(options),
  qemu: (options) => new QemuDriver(options),
};

/** `[compute] driver`: a driver, or auto (QEMU where it is installed, as the all-in-one promises). */
export type DriverChoice = DriverName | 'auto';

export function resolveDriverChoice(choice: DriverChoice): DriverName {
  if (choice !== 'auto') return choice;
  return qemuSystemBinary() === undefined ? 'fake' : 'qemu';
}

/** The driver a compute agent runs, by its configured name. */
export function createDriver<N extends DriverName>(name: N, options: DriverOptionsByName[N]): ComputeDriver {
  const create: (options: DriverOptionsByName[N]) => ComputeDriver = DRIVERS[name];
  return create(options);
}
