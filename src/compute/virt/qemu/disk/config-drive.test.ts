import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SMALL_FLAVOR } from '../../driver.contract.js';
import type { InstanceSpec } from '../../instance-spec.js';
import { runCommand } from '../../../../common/process/run-command.js';
import { TINY_IMAGE } from '../testing/qemu-harness.js';
import { writeConfigDrive } from './config-drive.js';

const USER_DATA = '#!/bin/sh\necho hello from user data\n';
const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake test@nimbus';

/** A file of the drive, read with mtools as the guest would see it. */
function mtype(drive: string, path: string): Promise<string> {
  return runCommand('mtype', ['-i', drive, `::/${path}`]);
}

describe('config drive', () => {
  let root: string;
  let drive: string;
  const instance: InstanceSpec = {
    uuid: randomUUID(),
    name: 'instance-00000001',
    hostname: 'web-server',
    displayName: 'web server',
    projectId: 'p1',
    launchIndex: 2,
    availabilityZone: 'zone-a',
    flavor: SMALL_FLAVOR,
    image: TINY_IMAGE,
    userData: Buffer.from(USER_DATA).toString('base64'),
    keyName: 'mykey',
    keyData: PUBLIC_KEY,
    configDrive: true,
    metadata: { role: 'web' },
    network: [],
    blockDevices: { rootDeviceName: '/dev/vda', volumes: [] },
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'nimbus-config-drive-test-'));
    drive = join(root, 'disk.config');
    await writeConfigDrive(drive, instance);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('is a 64 MiB FAT file system labelled config-2, written in place of a temporary file', async () => {
    assert.equal((await stat(drive)).size, 64 * 1024 * 1024);
    assert.match(await runCommand('mlabel', ['-i', drive, '-s', '::']), /Volume label is config-2/);
    assert.deepEqual(await readdir(root), ['disk.config']);
  });

  test('latest/meta_data.json holds what Nova renders: identity, keys, metadata, zone', async () => {
    const metaData = JSON.parse(await mtype(drive, 'openstack/latest/meta_data.json')) as Record<string, unknown>;
    const { random_seed: seed, ...rest } = metaData;
    assert.equal(Buffer.from(String(seed), 'base64').length, 512);
    assert.deepEqual(rest, {
      uuid: instance.uuid,
      meta: { role: 'web' },
      public_keys: { mykey: PUBLIC_KEY },
      keys: [{ name: 'mykey', type: 'ssh', data: PUBLIC_KEY }],
      hostname: 'web-server',
      name: 'web server',
      launch_index: 2,
      availability_zone: 'zone-a',
      project_id: 'p1',
      devices: [],
      dedicated_cpus: [],
    });
  });

  test('user_data is decoded; vendor and network data are empty documents', async () => {
    assert.equal(await mtype(drive, 'openstack/latest/user_data'), USER_DATA);
    assert.deepEqual(JSON.parse(await mtype(drive, 'openstack/latest/vendor_data.json')), {});
    assert.deepEqual(JSON.parse(await mtype(drive, 'openstack/latest/vendor_data2.json')), {});
    assert.deepEqual(JSON.parse(await mtype(drive, 'openstack/latest/network_data.json')), { links: [], networks: [], services: [] });
  });

  test('the Folsom version (2012-08-10) has the first keys only, and the user data', async () => {
    const folsom = JSON.parse(await mtype(drive, 'openstack/2012-08-10/meta_data.json')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(folsom), ['uuid', 'meta', 'public_keys', 'keys', 'hostname', 'name', 'launch_index', 'availability_zone']);
    assert.equal(await mtype(drive, 'openstack/2012-08-10/user_data'), USER_DATA);
    const listing = await runCommand('mdir', ['-i', drive, '-b', '::/openstack/2012-08-10']);
    assert.doesNotMatch(listing, /vendor_data|network_data/);
  });

  test('without key pair or user data there are no keys and no user_data file', async () => {
    const bare = join(root, 'bare.config');
    await writeConfigDrive(bare, { ...instance, keyName: null, keyData: null, userData: null, metadata: {} });
    const metaData = JSON.parse(await mtype(bare, 'openstack/latest/meta_data.json')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(metaData).filter((key) => ['public_keys', 'keys', 'meta'].includes(key)), []);
    assert.doesNotMatch(await runCommand('mdir', ['-i', bare, '-b', '::/openstack/latest']), /user_data/);
    await rm(bare);
  });
});
