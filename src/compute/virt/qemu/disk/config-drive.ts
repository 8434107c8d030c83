/**
 * The config drive, Nova's way with `config_drive_format = vfat`: a 64 MiB FAT file system labelled
 * `config-2` holding `openstack/<version>/` with the instance's metadata as Nova's InstanceMetadata
 * renders it (nova/api/metadata/base.py). Written with mkfs.fat and mcopy, so no loop mount and no
 * root is needed.
 */
import { mkdir, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { InstanceSpec } from '../../instance-spec.js';
import { openstackVersionFiles } from '../../../metadata/instance-metadata.js';
import { findExecutable } from '../../../../common/process/find-executable.js';
import { runCommand } from '../../../../common/process/run-command.js';

/** Nova's CONFIGDRIVESIZE_BYTES. */
const CONFIG_DRIVE_BYTES = 64 * 1024 * 1024;
/** The label cloud-init and Nova's guests look the drive up by. */
export const CONFIG_DRIVE_LABEL = 'config-2';

/**
 * Latest plus Folsom, the oldest OpenStack version: what a guest looks for first and last. Nova
 * writes every version in between too; guests read `latest`.
 */
const VERSIONS = ['2012-08-10', 'latest'] as const;

/** The drive's files, by path under its root: the metadata service's OpenStack tree, less the password (posted to the service only). */
export function configDriveFiles(instance: InstanceSpec): Map<string, string | Buffer> {
  const files = new Map<string, string | Buffer>();
  for (const version of VERSIONS) {
    for (const [name, item] of openstackVersionFiles(instance, version)) {
      if (name !== 'password' && item.kind !== 'listing') files.set(`openstack/${version}/${name}`, item.body);
    }
  }
  return files;
}

/** mkfs.fat lives in /usr/sbin, which an unprivileged user's PATH often lacks. */
function mkfsFat(): string {
  const found = findExecutable('mkfs.fat', ['/usr/sbin', '/sbin']);
  if (found === undefined) throw new Error('mkfs.fat is not installed (Debian package dosfstools): it builds config drives');
  return found;
}

/** Writes the instance's config drive at `path`, replacing one there; a failure leaves none. */
export async function writeConfigDrive(path: string, instance: InstanceSpec): Promise<void> {
  const staging = await mkdtemp(join(tmpdir(), 'nimbus-config-drive-'));
  const image = `${path}.tmp`;
  try {
    for (const [name, content] of configDriveFiles(instance)) {
      await mkdir(dirname(join(staging, name)), { recursive: true });
      await writeFile(join(staging, name), content);
    }
    await writeFile(image, '');
    await truncate(image, CONFIG_DRIVE_BYTES);
    await runCommand(mkfsFat(), ['-n', CONFIG_DRIVE_LABEL, image]);
    await runCommand('mcopy', ['-s', '-i', image, join(staging, 'openstack'), '::/']);
    await rename(image, path);
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(image, { force: true });
  }
}
