import type { NimbusConfig } from '../../common/config/options.js';
import { StartupError } from '../../common/errors/errors.js';
import { resolveDriverChoice, type DriverName } from '../../compute/virt/index.js';
import { qemuSystemBinary } from '../../compute/virt/qemu/host/qemu-binary.js';

/** `[compute] driver` with auto resolved; qemu chosen on a machine without QEMU stops start-up. */
export function computeDriverOf(config: NimbusConfig): DriverName {
  const driver = resolveDriverChoice(config.compute.driver);
  if (driver === 'qemu' && qemuSystemBinary() === undefined) {
    throw new StartupError('The qemu compute driver needs qemu-system-x86_64 (Debian package qemu-system-x86): install it or run with --driver fake');
  }
  return driver;
}
