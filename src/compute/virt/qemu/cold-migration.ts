/**
 * Resize and cold migration of a stopped guest, Nova's libvirt way: the source moves the guest's
 * directories aside as `<uuid>_resize` and copies the root disk (a qcow2 overlay) into the
 * destination's storage directory (on shared storage, the same place the guest just left); the
 * destination points the overlay at its copy of the base image, grows it to the new flavor and
 * defines the guest. Confirm deletes the resize source; revert moves it back.
 */
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { InstanceDir, exists } from './instance/instance-dir.js';

/** Where a guest's directories wait between migrateDiskAndPowerOff and confirm or revert. */
export function resizeSource(dir: InstanceDir): InstanceDir {
  return new InstanceDir(dir.paths, `${dir.name}_resize`);
}

async function moveDirs(from: InstanceDir, to: InstanceDir): Promise<void> {
  await rename(from.path, to.path);
  await rename(from.runtime, to.runtime);
}

/**
 * On the source, with the guest stopped: set its directories aside, then copy the root disk into
 * the destination's storage — none for a volume-backed guest, whose root disk is its volume.
 */
export async function sendDisk(dir: InstanceDir, destination: InstanceDir, options: { readonly rootDisk: boolean }): Promise<void> {
  const aside = resizeSource(dir);
  await moveDirs(dir, aside);
  try {
    await mkdir(destination.path, { recursive: true });
    if (options.rootDisk) await copyFile(aside.rootDisk, destination.rootDisk);
  } catch (error) {
    await rm(destination.path, { recursive: true, force: true });
    await moveDirs(aside, dir);
    throw error;
  }
}

/** On the source (revert): the resize source back in place, over what a destination on shared storage left there. */
export async function restoreResizeSource(dir: InstanceDir): Promise<void> {
  await rm(dir.path, { recursive: true, force: true });
  await rm(dir.runtime, { recursive: true, force: true });
  await moveDirs(resizeSource(dir), dir);
}

export async function hasResizeSource(dir: InstanceDir): Promise<boolean> {
  return exists(resizeSource(dir).definition);
}

/** On the source (confirm): the resize source goes. */
export async function removeResizeSource(dir: InstanceDir): Promise<void> {
  const aside = resizeSource(dir);
  await rm(aside.path, { recursive: true, force: true });
  await rm(aside.runtime, { recursive: true, force: true });
}
