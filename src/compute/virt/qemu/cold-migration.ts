/**
 * Resize and cold migration of a stopped guest, Nova's libvirt way: the source moves the guest's
 * directories aside as `<uuid>_resize` and the root disk (a qcow2 overlay) reaches the
 * destination's storage directory: copied there by the source when it knows that directory
 * (agents of one machine), otherwise by the destination: from the resize source itself when they
 * share instance storage, or pulled from the source over NBD when they do not (disk-export.ts).
 * The destination points the overlay at its copy of the base image, grows it to the new flavor
 * and defines the guest. Confirm deletes the resize source; revert moves it back.
 */
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigratedDisks } from '../driver.js';
import { pullDisk, startDiskExport, stopDiskExport, type DiskExport } from './disk/disk-export.js';
import { InstanceDir, exists } from './instance/instance-dir.js';

/** Where a guest's directories wait between migrateDiskAndPowerOff and confirm or revert. */
export function resizeSource(dir: InstanceDir): InstanceDir {
  return new InstanceDir(dir.paths, `${dir.name}_resize`);
}

async function moveDirs(from: InstanceDir, to: InstanceDir): Promise<void> {
  await rename(from.path, to.path);
  await rename(from.runtime, to.runtime);
}

/** The pid file of the NBD server serving a resize source's disk, beside it. */
function exportPidFile(aside: InstanceDir): string {
  return join(aside.runtime, 'disk-export.pid');
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

/**
 * On the source, with the guest stopped, when the destination's storage is not known here: set its
 * directories aside and serve the root disk at `address` (null for a volume-backed guest).
 */
export async function offerDisk(dir: InstanceDir, address: string, options: { readonly rootDisk: boolean }): Promise<DiskExport | null> {
  const aside = resizeSource(dir);
  await moveDirs(dir, aside);
  try {
    return options.rootDisk ? await startDiskExport(aside.rootDisk, address, exportPidFile(aside)) : null;
  } catch (error) {
    await moveDirs(aside, dir);
    throw error;
  }
}

/**
 * On the destination, when the root disk is not in its storage yet: copied from the resize source
 * when that is in this host's storage too (shared with the source), else pulled from the source's
 * export. False when neither is there.
 */
export async function receiveDisk(dir: InstanceDir, disks: MigratedDisks): Promise<boolean> {
  const aside = resizeSource(dir);
  const owner = await readFile(aside.owner, 'utf8').catch(() => '');
  const shared = owner.trim() === disks.sourceHost && (await exists(aside.rootDisk));
  if (!shared && (disks.diskExport ?? null) === null) return false;
  await mkdir(dir.path, { recursive: true });
  try {
    if (shared) await copyFile(aside.rootDisk, dir.rootDisk);
    else if (disks.diskExport) await pullDisk(disks.diskExport, dir.rootDisk);
  } catch (error) {
    await rm(dir.path, { recursive: true, force: true });
    throw error;
  }
  return true;
}

/** On the source (revert): the resize source back in place, over what a destination on shared storage left there. */
export async function restoreResizeSource(dir: InstanceDir): Promise<void> {
  await stopDiskExport(exportPidFile(resizeSource(dir)));
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
  await stopDiskExport(exportPidFile(aside));
  await rm(aside.path, { recursive: true, force: true });
  await rm(aside.runtime, { recursive: true, force: true });
}
