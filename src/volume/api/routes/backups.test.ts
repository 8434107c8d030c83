import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { configureLogging } from '../../../common/logging/logger.js';
import { ADMIN, memberOf, withVolumeCloud, type VolumeCloud } from '../../testing/volume-cloud.js';

const lines: string[] = [];
configureLogging({ sink: (line) => void lines.push(line) });

const ALICE = memberOf('alice-project');
const BOB = memberOf('bob-project');
const MiB = 1024 * 1024;

type Item = Record<string, unknown>;
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The sha256 of a whole volume file, read as a stream (volumes are bigger than a Buffer may be). */
async function shaOfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function head(path: string, length: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, 0);
    return buffer;
  } finally {
    await file.close();
  }
}

async function writeInto(path: string, offset: number, data: Buffer): Promise<void> {
  const file = await open(path, 'r+');
  try {
    await file.write(data, 0, data.length, offset);
  } finally {
    await file.close();
  }
}

async function backup(cloud: VolumeCloud, volumeId: string, extra: Item = {}): Promise<Item> {
  const created = await cloud.call('POST', '/backups', { body: { backup: { volume_id: volumeId, ...extra } }, as: ALICE });
  assert.equal(created.status, 202, JSON.stringify(created.json));
  const id = String((created.json['backup'] as Item)['id']);
  return (await cloud.settle(`/backups/${id}`, ALICE)).json['backup'] as Item;
}

async function storedBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) if (name.startsWith('backup-')) total += (await readFile(join(dir, name))).length;
  return total;
}

test('backups: full then incremental, restore byte for byte into a new and an existing volume, the parent kept while incrementals exist', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const { call, settle, volumePath, backupPath } = cloud;
    const volumeId = await cloud.availableVolume({ size: 1 }, ALICE);
    await writeInto(volumePath(volumeId), 0, randomBytes(3 * MiB));

    const full = await backup(cloud, volumeId, { name: 'full' });
    assert.deepEqual([full['status'], full['size'], full['is_incremental'], full['volume_id'], full['name']], ['available', 1, false, volumeId, 'full']);
    assert.equal(((await call('GET', `/volumes/${volumeId}`, { as: ALICE })).json['volume'] as Item)['status'], 'available');

    await writeInto(volumePath(volumeId), 2 * MiB + 5, randomBytes(100));
    const incremental = await backup(cloud, volumeId, { incremental: true });
    assert.deepEqual([incremental['status'], incremental['is_incremental'], incremental['object_count']], ['available', true, 1]);
    assert.ok((await storedBytes(backupPath(String(incremental['id'])))) * 20 < (await storedBytes(backupPath(String(full['id'])))));
    assert.equal(((await call('GET', `/backups/${String(full['id'])}`, { as: ALICE })).json['backup'] as Item)['has_dependent_backups'], true);

    const refused = await call('DELETE', `/backups/${String(full['id'])}`, { as: ALICE });
    assert.deepEqual([refused.status, refused.json], [400, { badRequest: { code: 400, message: 'Invalid backup: Incremental backups exist for this backup.' } }]);

    // Into a new volume: named as asked, of the backup's size, the incremental's bytes.
    const restore = await call('POST', `/backups/${String(incremental['id'])}/restore`, { body: { restore: { name: 'restored' } }, as: ALICE });
    assert.equal(restore.status, 202, JSON.stringify(restore.json));
    const answer = restore.json['restore'] as Item;
    assert.deepEqual([answer['backup_id'], answer['volume_name']], [incremental['id'], 'restored']);
    const restoredId = String(answer['volume_id']);
    // The backup is restoring from the answer on; the new volume is briefly available before the restore takes it, as in Cinder.
    assert.equal(((await settle(`/backups/${String(incremental['id'])}`, ALICE)).json['backup'] as Item)['status'], 'available');
    const restored = (await settle(`/volumes/${restoredId}`, ALICE)).json['volume'] as Item;
    assert.deepEqual([restored['status'], restored['size'], restored['name']], ['available', 1, 'restored']);
    assert.equal(await shaOfFile(volumePath(restoredId)), await shaOfFile(volumePath(volumeId)));

    // Into an existing volume: too small is refused with nothing changed; big enough takes the full's bytes.
    const existing = await cloud.availableVolume({ size: 2 }, ALICE);
    const afterIncremental = await head(volumePath(restoredId), 3 * MiB);
    const into = await call('POST', `/backups/${String(full['id'])}/restore`, { body: { restore: { volume_id: existing } }, as: ALICE });
    assert.equal(into.status, 202, JSON.stringify(into.json));
    assert.equal(((await settle(`/volumes/${existing}`, ALICE)).json['volume'] as Item)['status'], 'available');
    const restoredHead = await head(volumePath(existing), 3 * MiB);
    assert.notEqual(sha(restoredHead), sha(afterIncremental), 'the full backup predates the incremental change');
    assert.deepEqual(restoredHead.subarray(0, 2 * MiB), afterIncremental.subarray(0, 2 * MiB));
    const small = await cloud.availableVolume({ size: 1 }, ALICE);
    const big = await backup(cloud, existing);
    const tooSmall = await call('POST', `/backups/${String(big['id'])}/restore`, { body: { restore: { volume_id: small } }, as: ALICE });
    assert.deepEqual([tooSmall.status, (tooSmall.json['badRequest'] as Item)['message']], [400, 'Invalid volume: volume size 1 is too small to restore backup of size 2.']);
    assert.equal(((await call('GET', `/volumes/${small}`, { as: ALICE })).json['volume'] as Item)['status'], 'available');

    // Usage counts the backups; another project sees none of them.
    const quota = (await call('GET', '/os-quota-sets/alice-project?usage=true', { as: ADMIN })).json['quota_set'] as Record<string, { in_use: number }>;
    assert.deepEqual([quota['backups']?.in_use, quota['backup_gigabytes']?.in_use], [3, 4]);
    assert.equal((await call('GET', `/backups/${String(full['id'])}`, { as: BOB })).status, 404);
    assert.deepEqual((await call('GET', '/backups', { as: BOB })).json, { backups: [] });
    const listed = (await call('GET', '/backups/detail?sort=created_at:asc&limit=2', { as: ALICE })).json;
    assert.deepEqual((listed['backups'] as Item[]).map((each) => each['id']), [full['id'], incremental['id']]);
    assert.match(String((listed['backups_links'] as Item[])[0]?.['href']), /marker=/);

    // Deleting the incremental first, then the parent, removes their files.
    for (const id of [incremental['id'], full['id'], big['id']]) {
      assert.equal((await call('DELETE', `/backups/${String(id)}`, { as: ALICE })).status, 202);
      assert.equal((await settle(`/backups/${String(id)}`, ALICE)).status, 404);
      await assert.rejects(readdir(backupPath(String(id))));
    }
  }));

test('backups naming a container show it, share it, and each restores its own bytes; a container that is no directory name fails the backup; too long is 400', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const { call, settle, volumePath } = cloud;
    const volumeId = await cloud.availableVolume({ size: 1, metadata: { kept: 'yes' } }, ALICE);
    await writeInto(volumePath(volumeId), 0, randomBytes(MiB));
    const first = await backup(cloud, volumeId, { container: 'container' });
    const second = await backup(cloud, volumeId, { container: 'container' });
    assert.deepEqual([first['status'], first['container'], second['status'], second['container']], ['available', 'container', 'available', 'container']);
    assert.equal((await call('DELETE', `/backups/${String(first['id'])}`, { as: ALICE })).status, 202);
    assert.equal((await settle(`/backups/${String(first['id'])}`, ALICE)).status, 404);
    const restore = await call('POST', `/backups/${String(second['id'])}/restore`, { body: { restore: {} }, as: ALICE });
    const restoredId = String((restore.json['restore'] as Item)['volume_id']);
    await settle(`/backups/${String(second['id'])}`, ALICE);
    const restoredVolume = (await settle(`/volumes/${restoredId}`, ALICE)).json['volume'] as Item;
    assert.deepEqual([restoredVolume['status'], restoredVolume['metadata']], ['available', { kept: 'yes' }], "Cinder's restore puts the volume's metadata back");
    assert.deepEqual([restoredVolume['bootable'], restoredVolume['volume_image_metadata']], ['false', undefined], 'a backup without image metadata gives none');
    assert.equal(await shaOfFile(volumePath(restoredId)), await shaOfFile(volumePath(volumeId)), 'the other backup in the container is whole');

    const tooLong = await call('POST', '/backups', { body: { backup: { volume_id: volumeId, container: 'c'.repeat(256) } }, as: ALICE });
    assert.equal(tooLong.status, 400);
    const path = await backup(cloud, volumeId, { container: '../elsewhere' });
    assert.deepEqual([path['status'], path['container']], ['error', '../elsewhere']);
    assert.match(String(path['fail_reason']), /not a directory name/);
    assert.equal(((await call('GET', `/volumes/${volumeId}`, { as: ALICE })).json['volume'] as Item)['status'], 'available');
    for (const id of [second['id'], path['id']]) {
      assert.equal((await call('DELETE', `/backups/${String(id)}`, { as: ALICE })).status, 202);
      assert.equal((await settle(`/backups/${String(id)}`, ALICE)).status, 404);
    }
    assert.deepEqual((await call('GET', '/backups', { as: ALICE })).json, { backups: [] });
  }));

test("backups: a restore puts back a bootable volume's image metadata and bootable flag, into a new and an existing volume", () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const { call, settle } = cloud;
    const imageMetadata = { image_id: randomUUID(), image_name: 'cirros', hw_disk_bus: 'virtio', min_ram: '64' };
    const volumeOf = async (id: string) => (await call('GET', `/volumes/${id}`, { as: ALICE })).json['volume'] as Item;
    const source = await cloud.availableVolume({ size: 1 }, ALICE);
    assert.equal((await call('POST', `/volumes/${source}/action`, { body: { 'os-set_bootable': { bootable: true } }, as: ALICE })).status, 200);
    assert.equal((await call('POST', `/volumes/${source}/action`, { body: { 'os-set_image_metadata': { metadata: imageMetadata } }, as: ALICE })).status, 200);
    const bootableBackup = await backup(cloud, source);
    const restoreOf = async (backupItem: Item, into: Item) => {
      const restore = await call('POST', `/backups/${String(backupItem['id'])}/restore`, { body: { restore: into }, as: ALICE });
      assert.equal(restore.status, 202, JSON.stringify(restore.json));
      await settle(`/backups/${String(backupItem['id'])}`, ALICE);
      const id = String((restore.json['restore'] as Item)['volume_id']);
      await settle(`/volumes/${id}`, ALICE);
      return volumeOf(id);
    };

    const fresh = await restoreOf(bootableBackup, { name: 'boot-copy' });
    assert.deepEqual([fresh['status'], fresh['bootable'], fresh['volume_image_metadata']], ['available', 'true', imageMetadata]);

    const existing = await cloud.availableVolume({ size: 1 }, ALICE);
    assert.deepEqual([(await volumeOf(existing))['bootable'], (await volumeOf(existing))['volume_image_metadata']], ['false', undefined]);
    const into = await restoreOf(bootableBackup, { volume_id: existing });
    assert.deepEqual([into['id'], into['status'], into['bootable'], into['volume_image_metadata']], [existing, 'available', 'true', imageMetadata]);

    assert.equal((await call('DELETE', `/backups/${String(bootableBackup['id'])}`, { as: ALICE })).status, 202);
    assert.equal((await settle(`/backups/${String(bootableBackup['id'])}`, ALICE)).status, 404);
  }));

test('backups: a changed chunk fails the restore loudly — the target in error_restoring, the backup available again', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const { call, settle, volumePath, backupPath } = cloud;
    const volumeId = await cloud.availableVolume({ size: 1 }, ALICE);
    await writeInto(volumePath(volumeId), MiB, randomBytes(MiB));
    const full = await backup(cloud, volumeId);
    await writeInto(join(backupPath(String(full['id'])), 'backup-00001'), 20, Buffer.from('tampered'));
    const restore = await call('POST', `/backups/${String(full['id'])}/restore`, { body: { restore: null }, as: ALICE });
    assert.equal(restore.status, 202, JSON.stringify(restore.json));
    const target = String((restore.json['restore'] as Item)['volume_id']);
    assert.equal(((await settle(`/backups/${String(full['id'])}`, ALICE)).json['backup'] as Item)['status'], 'available');
    const volume = (await settle(`/volumes/${target}`, ALICE)).json['volume'] as Item;
    assert.equal(volume['status'], 'error_restoring');
    assert.ok(
      lines.some((line) => line.includes(' ERROR ') && line.includes(`Restore of backup ${String(full['id'])} to volume ${target} failed`) && line.includes('failed its checksum')),
      lines.filter((line) => line.includes(' ERROR ')).join('\n'),
    );
  }));

test('backups: bad requests are refused with Cinder\'s words and change nothing', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const { call } = cloud;
    const volumeId = await cloud.availableVolume({ size: 1 }, ALICE);
    const noParent = await call('POST', '/backups', { body: { backup: { volume_id: volumeId, incremental: true } }, as: ALICE });
    assert.deepEqual([noParent.status, (noParent.json['badRequest'] as Item)['message']], [400, 'Invalid backup: No backups available to do an incremental backup.']);
    const otherProject = await call('POST', '/backups', { body: { backup: { volume_id: volumeId } }, as: BOB });
    assert.equal(otherProject.status, 404);
    const unknownField = await call('POST', '/backups', { body: { backup: { volume_id: volumeId, nope: 1 } }, as: ALICE });
    assert.equal(unknownField.status, 400);
    await call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: { backups: 0 } }, as: ADMIN });
    const overQuota = await call('POST', '/backups', { body: { backup: { volume_id: volumeId } }, as: ALICE });
    assert.deepEqual([overQuota.status, (overQuota.json['overLimit'] as Item)['message']], [413, 'Maximum number of backups allowed (0) exceeded']);
    assert.deepEqual((await call('GET', '/backups', { as: ALICE })).json, { backups: [] });
    assert.equal(((await call('GET', `/volumes/${volumeId}`, { as: ALICE })).json['volume'] as Item)['status'], 'available');
  }));

test('backup records: an admin exports one and imports it under a new id; the imported backup restores the same bytes; bad records are 400 and members are refused; update (3.9) and os-reset_status', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const { call, settle, volumePath } = cloud;
    const volumeId = await cloud.availableVolume({ size: 1 }, ALICE);
    await writeInto(volumePath(volumeId), 4096, randomBytes(MiB));
    const original = await backup(cloud, volumeId, { name: 'exported' });
    const backupId = String(original['id']);

    assert.equal((await call('GET', `/backups/${backupId}/export_record`, { as: ALICE })).status, 403);
    const exported = await call('GET', `/backups/${backupId}/export_record`, { as: ADMIN });
    assert.equal(exported.status, 200, JSON.stringify(exported.json));
    const record = exported.json['backup-record'] as { backup_service: string; backup_url: string };
    assert.equal(record.backup_service, 'cinder.backup.drivers.posix.PosixBackupDriver');
    const fields = JSON.parse(Buffer.from(record.backup_url, 'base64').toString('utf8')) as Item;
    assert.deepEqual([fields['id'], fields['volume_id'], fields['display_name'], fields['size']], [backupId, volumeId, 'exported', 1]);

    const importOf = (body: Item, as = ADMIN) => call('POST', '/backups/import_record', { body: { 'backup-record': body }, as });
    assert.equal((await importOf(record, ALICE)).status, 403);
    assert.deepEqual((await importOf(record)).json, { badRequest: { code: 400, message: 'Invalid backup: Backup already exists in database.' } });
    assert.deepEqual((await importOf({ ...record, backup_url: 'bm90IGpzb24=' })).json, { badRequest: { code: 400, message: "Invalid input received: Can't parse backup record." } });
    const withoutContainer = Buffer.from(JSON.stringify({ ...fields, id: randomUUID(), container: null })).toString('base64');
    assert.equal((await importOf({ ...record, backup_url: withoutContainer })).status, 400);
    assert.equal((await importOf({ backup_service: record.backup_service })).status, 400);

    const newId = randomUUID();
    const imported = await importOf({ ...record, backup_url: Buffer.from(JSON.stringify({ ...fields, id: newId })).toString('base64') });
    assert.equal(imported.status, 201, JSON.stringify(imported.json));
    assert.deepEqual(Object.keys(imported.json['backup'] as Item).sort(), ['id', 'links', 'name']);
    const settled = (await settle(`/backups/${newId}`, ADMIN)).json['backup'] as Item;
    assert.deepEqual([settled['status'], settled['volume_id'], settled['size'], settled['name']], ['available', volumeId, 1, 'exported']);
    assert.ok(((await call('GET', '/backups', { as: ADMIN })).json['backups'] as Item[]).some((each) => each['id'] === newId), "in the importer's list");

    const restored = await call('POST', `/backups/${newId}/restore`, { body: { restore: { name: 'from-import' } }, as: ADMIN });
    assert.equal(restored.status, 202, JSON.stringify(restored.json));
    const target = String((restored.json['restore'] as Item)['volume_id']);
    // The new volume is briefly available before the restore takes it: the backup's end is the restore's.
    assert.equal(((await settle(`/backups/${newId}`, ADMIN)).json['backup'] as Item)['status'], 'available');
    assert.equal(((await settle(`/volumes/${target}`, ADMIN)).json['volume'] as Item)['status'], 'available');
    assert.equal(await shaOfFile(volumePath(target)), await shaOfFile(volumePath(volumeId)), 'the imported record reads the exported backup\'s data');

    const renamed = await call('PUT', `/backups/${backupId}`, { body: { backup: { name: 'renamed', description: 'd' } }, as: ALICE, version: '3.9' });
    assert.deepEqual([renamed.status, (renamed.json['backup'] as Item)['name']], [200, 'renamed']);
    assert.equal(((await call('GET', `/backups/${backupId}`, { as: ALICE })).json['backup'] as Item)['description'], 'd');
    assert.equal((await call('PUT', `/backups/${backupId}`, { body: { backup: { name: 'x' } }, as: ALICE, version: '3.8' })).status, 404, 'not before 3.9');
    assert.equal((await call('PUT', `/backups/${backupId}`, { body: { backup: { size: 3 } }, as: ALICE, version: '3.9' })).status, 400);
    assert.equal((await call('POST', `/backups/${newId}/action`, { body: { 'os-reset_status': { status: 'error' } }, as: ALICE })).status, 404, "not Alice's");
    assert.equal((await call('POST', `/backups/${backupId}/action`, { body: { 'os-reset_status': { status: 'error' } }, as: ALICE })).status, 403);
    assert.equal((await call('POST', `/backups/${backupId}/action`, { body: { 'os-reset_status': { status: 'creating' } }, as: ADMIN })).status, 400);
    assert.equal((await call('POST', `/backups/${backupId}/action`, { body: { 'os-reset_status': { status: 'error' } }, as: ADMIN })).status, 202);
    assert.equal(((await call('GET', `/backups/${backupId}`, { as: ALICE })).json['backup'] as Item)['status'], 'error');

    const unknownService = randomUUID();
    const other = await importOf({ backup_service: 'cinder.backup.drivers.swift.SwiftBackupDriver', backup_url: Buffer.from(JSON.stringify({ ...fields, id: unknownService })).toString('base64') });
    assert.equal(other.status, 201);
    const failed = (await settle(`/backups/${unknownService}`, ADMIN)).json['backup'] as Item;
    assert.equal(failed['status'], 'error', 'no backup service runs that driver');
  }));
