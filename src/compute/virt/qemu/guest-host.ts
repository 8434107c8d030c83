/**
 * What the QEMU driver's groups of operations share: one host's guests and base images, and the
 * rules every operation follows (a guest must be defined here, driver errors pass as they are).
 */
import { NimbusError } from '../../../common/errors/errors.js';
import { DriverOperationFailed, InstanceInvalidState, InstanceNotFound } from '../errors.js';
import type { InstanceRef, InstanceSpec } from '../instance-spec.js';
import type { PowerState } from '../power-state.js';
import type { BaseImageCache } from './disk/base-images.js';
import type { Accelerator } from './host/accelerator.js';
import type { GuestProcesses } from './guest-processes.js';
import { type InstanceDir, exists } from './instance/instance-dir.js';
import type { QmpMonitor } from './qmp/index.js';

const GIB = 1024 ** 3;

export interface GuestHost {
  readonly host: string;
  readonly accelerator: Accelerator;
  readonly guests: GuestProcesses;
  readonly baseImages: BaseImageCache;
}

/** The guest's directory, which must hold its definition (the guest is defined on this host). */
export async function definedDir(guests: GuestProcesses, instance: InstanceRef): Promise<InstanceDir> {
  const dir = guests.dir(instance.uuid);
  if (!(await exists(dir.definition))) throw new InstanceNotFound(instance.uuid);
  return dir;
}

/** The running guest's monitor, when its power state is one the operation allows. */
export async function monitorInState(guests: GuestProcesses, instance: InstanceRef, operation: string, allowed: readonly PowerState[]): Promise<QmpMonitor> {
  await definedDir(guests, instance);
  const state = await guests.powerState(instance.uuid);
  const monitor = await guests.monitor(instance.uuid);
  if (!allowed.includes(state) || monitor === undefined) throw new InstanceInvalidState(instance.uuid, operation, state);
  return monitor;
}

/** The root disk's size: the flavor's, or the image's where the flavor says 0. */
export function rootBytes(instance: InstanceSpec, imageBytes: number): number {
  const bytes = instance.flavor.rootGb > 0 ? instance.flavor.rootGb * GIB : imageBytes;
  if (imageBytes > bytes) {
    throw new Error(`Flavor's disk is too small for requested image. Flavor disk is ${bytes} bytes, image is ${imageBytes} bytes.`);
  }
  return bytes;
}

/** Driver errors pass as they are; anything else becomes DriverOperationFailed with its reason. */
export async function failing<T>(operation: string, instance: InstanceRef, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NimbusError) throw error;
    throw new DriverOperationFailed(operation, error instanceof Error ? error.message : String(error), { instanceUuid: instance.uuid, cause: error });
  }
}
