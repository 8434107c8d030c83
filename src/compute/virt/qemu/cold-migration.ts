/**
 * Resize and cold migration of a stopped guest, Nova's libvirt way: the source moves its
 * instance directory aside as `<uuid>_resize` and copies the root disk (a qcow2 overlay) into
 * the destination's instance directory; the destination points the overlay at its own copy of
 * the base image, grows it to the new flavor and defines the guest. Confirm deletes the resize
 * source; revert moves it back.
 */
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstanceDir } from './instance/instance-dir.js';
import { exists } from './instance/instance-dir.js';

/** Where a guest's instance directory waits between migrateDiskAndPowerOff and confirm or revert. */
export function resizeSourcePath(dir: InstanceDir): string {
  return `${dir.path}_resize`;
}

/** On the source, with the guest stopped: copy the root disk to the destination, then set the directory aside. */
export async function sendDisk(dir: InstanceDir, destination: InstanceDir): Promise<void> {
  await mkdir(destination.path, { recursive: true });
  try {
    await copyFile(dir.rootDisk, destination.rootDisk);
  } catch (error) {
    await rm(destination.path, { recursive: true, force: true });
    throw error;
  }
  await rename(dir.path, resizeSourcePath(dir));
}

/** On the source: the resize source back in place (revert). */
export async function restoreResizeSource(dir: InstanceDir): Promise<void> {
  await rename(resizeSourcePath(dir), dir.path);
}

export async function hasResizeSource(dir: InstanceDir): Promise<boolean> {
  return exists(resizeSourcePath(dir));
}

/** The resize source's definition file, for the resource audit (it keeps its claim until confirmed). */
export function resizeSourceDefinition(dir: InstanceDir): string {
  return join(resizeSourcePath(dir), 'definition.json');
}
