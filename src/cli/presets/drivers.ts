/**
 * The virt driver choice: which ComputeDriver the compute agents of this process run. The one
 * place that picks a driver; compute's workers are handed the factory.
 */
import type { Readable } from 'node:stream';
import type { NimbusConfig } from '../../common/config/options.js';
import { currentContext, newAdminContext, type RequestContext } from '../../common/context/request-context.js';
import { StartupError } from '../../common/errors/errors.js';
import type { ComputeDriverFactory } from '../../compute/virt/driver.js';
import { fakeDriverFactory, type FakeHostSize } from '../../compute/virt/fake/index.js';
import { qemuSystemBinary } from '../../compute/virt/qemu/host/qemu-binary.js';

export type DriverName = 'fake' | 'qemu';

/** `[compute] driver`: a driver, or auto (QEMU where it is installed, as the all-in-one promises). */
export type DriverChoice = DriverName | 'auto';

export function resolveDriverChoice(choice: DriverChoice): DriverName {
  if (choice !== 'auto') return choice;
  return qemuSystemBinary() === undefined ? 'fake' : 'qemu';
}

/** `[compute] driver` with auto resolved; qemu chosen on a machine without QEMU stops start-up. */
export function computeDriverOf(config: NimbusConfig): DriverName {
  const driver = resolveDriverChoice(config.compute.driver);
  if (driver === 'qemu' && qemuSystemBinary() === undefined) {
    throw new StartupError('The qemu compute driver needs qemu-system-x86_64 (Debian package qemu-system-x86): install it or run with --driver fake');
  }
  return driver;
}

export interface DriverSetting {
  /** `[DEFAULT] state_dir`: each host gets `<state_dir>/compute/<host>`. */
  readonly stateDir: string;
  /** `[compute] instances_path`: the hosts' shared instance storage; empty for each host's own. */
  readonly instancesPath?: string;
  /** Where real guests read image data from, under the request's context. */
  readonly images: { openImageData(context: RequestContext, id: string): Promise<Readable> };
  /** `[compute] live_migration_inbound_addr`: where this host's incoming live migrations listen (empty: loopback). */
  readonly migrationAddress?: string;
  /** Size of each fake host; the fake driver's profile otherwise. */
  readonly fakeHostSize?: FakeHostSize;
}

/**
 * The factory of the named driver: one driver per agent host. The QEMU driver's modules (QMP,
 * argv builder, host probes) are loaded only when it is the one chosen: a fake cloud starts sooner.
 */
export async function computeDriverFactory(name: DriverName, setting: DriverSetting): Promise<ComputeDriverFactory> {
  if (name === 'fake') return fakeDriverFactory(setting.fakeHostSize);
  const [{ QemuDriver }, { hostPaths }] = await Promise.all([
    import('../../compute/virt/qemu/driver.js'),
    import('../../compute/virt/qemu/instance/instance-dir.js'),
  ]);
  const paths = (of: string) => hostPaths(setting.stateDir, of, setting.instancesPath);
  const apart = setting.migrationAddress !== undefined && setting.migrationAddress !== '';
  return (host) =>
    new QemuDriver({
      host,
      paths: paths(host),
      imageData: (image) => setting.images.openImageData(currentContext() ?? newAdminContext(), image.id),
      // Agents of one machine (no inbound address) share the state dir's layout: a cold migration copies
      // the disk across it. Hosts apart know nothing of each other's: the destination fetches the disk.
      ...(apart ? { migrationAddress: setting.migrationAddress } : { peerPaths: paths }),
    });
}
