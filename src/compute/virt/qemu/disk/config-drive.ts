/**
 * The config drive, Nova's way with `config_drive_format = vfat`: a 64 MiB FAT file system labelled
 * `config-2` holding `openstack/<version>/` with the instance's metadata as Nova's InstanceMetadata
 * renders it (nova/api/metadata/base.py). Written with mkfs.fat and mcopy, so no loop mount and no
 * root is needed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { InstanceSpec } from '../../instance-spec.js';
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
type MetadataVersion = (typeof VERSIONS)[number];

type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/** meta_data.json: the keys in Nova's order; Folsom's has none of the later additions. */
function metaData(instance: InstanceSpec, version: MetadataVersion): Record<string, Json> {
  const data: Record<string, Json> = { uuid: instance.uuid };
  if (Object.keys(instance.metadata).length > 0) data['meta'] = instance.metadata;
  if (instance.keyName !== null && instance.keyData !== null) {
    data['public_keys'] = { [instance.keyName]: instance.keyData };
    data['keys'] = [{ name: instance.keyName, type: keyType(instance.keyData), data: instance.keyData }];
  }
  data['hostname'] = instance.hostname;
  data['name'] = instance.displayName;
  data['launch_index'] = instance.launchIndex;
  data['availability_zone'] = instance.availabilityZone;
  if (version === 'latest') {
    data['random_seed'] = randomBytes(512).toString('base64');
    data['project_id'] = instance.projectId;
    data['devices'] = [];
    data['dedicated_cpus'] = [];
  }
  return data;
}

/** A key pair's type is not on the instance; its public key tells: x509 ones are PEM certificates. */
function keyType(publicKey: string): 'ssh' | 'x509' {
  return publicKey.includes('-----BEGIN CERTIFICATE-----') ? 'x509' : 'ssh';
}

/** The drive's files, by path under its root. */
export function configDriveFiles(instance: InstanceSpec): Map<string, string | Buffer> {
  const files = new Map<string, string | Buffer>();
  for (const version of VERSIONS) {
    const at = `openstack/${version}`;
    files.set(`${at}/meta_data.json`, JSON.stringify(metaData(instance, version)));
    if (instance.userData !== null) files.set(`${at}/user_data`, Buffer.from(instance.userData, 'base64'));
    if (version === 'latest') {
      files.set(`${at}/vendor_data.json`, '{}');
      files.set(`${at}/vendor_data2.json`, '{}');
      // No NICs are defined yet: nothing to describe.
      files.set(`${at}/network_data.json`, JSON.stringify({ links: [], networks: [], services: [] }));
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
