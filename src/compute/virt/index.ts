/**
 * @module The registry composition roots pick a compute driver from. The driver contract and
 * the types it speaks in are imported from their own files (driver.ts, instance-spec.ts …).
 */
import type { ComputeDriver } from './driver.js';
import type { FakeDriverOptions } from './fake/fake-driver.js';
import { FakeDriver } from './fake/fake-driver.js';
import type { QemuDriverOptions } from './qemu/driver.js';
import { QemuDriver } from './qemu/driver.js';
import { qemuSystemBinary } from './qemu/host/qemu-binary.js';

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
