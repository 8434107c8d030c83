import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { loadConfig } from '../../../common/config/load.js';
import { ADMIN, memberOf, withVolumeCloud, type VolumeCloud } from '../../testing/volume-cloud.js';

type Json = Record<string, unknown>;

const ALICE = memberOf('alice-project');
const BOB = memberOf('bob-project');

/** A volume of a type no backend can hold: the scheduler finds none and the volume goes to error. */
async function unplaceableVolume(cloud: VolumeCloud, typeId: string): Promise<string> {
  const created = await cloud.call('POST', '/volumes', { body: { volume: { size: 1, volume_type: typeId } }, as: ALICE });
  assert.equal(created.status, 202, created.text);
  const id = String((created.json['volume'] as Json)['id']);
  const settled = await cloud.settle(`/volumes/${id}`, ALICE);
  assert.equal((settled.json['volume'] as Json)['status'], 'error');
  return id;
}

test('a volume no backend can hold leaves its owner a message: listed, shown and deleted from 3.3, hidden from other projects', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const type = await cloud.call('POST', '/types', { body: { volume_type: { name: 'nowhere', extra_specs: { vendor_name: 'nobody', storage_protocol: 'carrier-pigeon' } } }, as: ADMIN });
    const volumeId = await unplaceableVolume(cloud, String((type.json['volume_type'] as Json)['id']));

    const listed = await cloud.call('GET', '/messages', { as: ALICE, version: '3.3' });
    assert.equal(listed.status, 200, listed.text);
    const [message] = listed.json['messages'] as Json[];
    assert.ok(message !== undefined);
    assert.deepEqual(
      { ...message, id: undefined, created_at: undefined, guaranteed_until: undefined, request_id: undefined, links: undefined },
      {
        id: undefined, created_at: undefined, guaranteed_until: undefined, request_id: undefined, links: undefined,
        event_id: 'VOLUME_VOLUME_001_003',
        user_message: 'schedule allocate volume:Could not find any available weighted backend.',
        message_level: 'ERROR',
        resource_type: 'VOLUME',
        resource_uuid: volumeId,
      },
    );
    assert.match(String(message['request_id']), /^req-/);
    const days = (Date.parse(`${String(message['guaranteed_until'])}Z`) - Date.parse(`${String(message['created_at'])}Z`)) / 86_400_000;
    assert.equal(days, 30);

    const id = String(message['id']);
    const shown = await cloud.call('GET', `/messages/${id}`, { as: ALICE, version: '3.3' });
    assert.deepEqual(shown.json, { message });
    assert.equal((await cloud.call('GET', `/messages/${id}`, { as: ALICE, version: '3.2' })).status, 404, 'not before 3.3');
    assert.deepEqual((await cloud.call('GET', `/messages/${id}`, { as: BOB, version: '3.3' })).json, {
      itemNotFound: { code: 404, message: `Message ${id} could not be found.` },
    });
    assert.deepEqual((await cloud.call('GET', '/messages', { as: BOB, version: '3.3' })).json, { messages: [] });
    assert.equal(((await cloud.call('GET', '/messages', { as: ADMIN, version: '3.3' })).json['messages'] as Json[]).length, 1, 'an admin sees every project');
    assert.equal((await cloud.call('DELETE', `/messages/${id}`, { as: BOB, version: '3.3' })).status, 404);
    assert.equal((await cloud.call('DELETE', `/messages/${id}`, { as: { ...ALICE, roles: ['reader'] }, version: '3.3' })).status, 403);

    const deleted = await cloud.call('DELETE', `/messages/${id}`, { as: ALICE, version: '3.3' });
    assert.equal(deleted.status, 204, deleted.text);
    assert.equal((await cloud.call('GET', `/messages/${id}`, { as: ALICE, version: '3.3' })).status, 404);
  }));

test('message lists filter, sort and page from 3.5; a non-admin naming another filter from 3.31 is a 400', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const type = await cloud.call('POST', '/types', { body: { volume_type: { name: 'nowhere', extra_specs: { volume_backend_name: 'absent' } } }, as: ADMIN });
    const typeId = String((type.json['volume_type'] as Json)['id']);
    const first = await unplaceableVolume(cloud, typeId);
    const second = await unplaceableVolume(cloud, typeId);

    const uuids = async (query: string, version = '3.5') => {
      const reply = await cloud.call('GET', `/messages${query}`, { as: ALICE, version });
      assert.equal(reply.status, 200, reply.text);
      return (reply.json['messages'] as Json[]).map((message) => message['resource_uuid']);
    };
    assert.deepEqual(await uuids(''), [second, first], 'newest first');
    assert.deepEqual(await uuids('?sort=created_at:asc'), [first, second]);
    assert.deepEqual(await uuids(`?resource_uuid=${first}`), [first]);
    assert.deepEqual(await uuids(`?resource_uuid=${first}`, '3.4'), [second, first], 'filters are ignored before 3.5');

    const paged = await cloud.call('GET', '/messages?limit=1&sort=created_at:asc', { as: ALICE, version: '3.5' });
    const [onlyOne] = paged.json['messages'] as Json[];
    assert.equal(onlyOne?.['resource_uuid'], first);
    const [next] = paged.json['messages_links'] as Json[];
    assert.match(String(next?.['href']), new RegExp(`/volume/v3/alice-project/messages\\?limit=1&sort=created_at%3Aasc&marker=${String(onlyOne?.['id'])}$`));
    assert.deepEqual(await uuids(`?limit=1&sort=created_at:asc&marker=${String(onlyOne?.['id'])}`), [second]);

    assert.deepEqual((await cloud.call('GET', '/messages?colour=blue', { as: ALICE, version: '3.31' })).json, {
      badRequest: { code: 400, message: 'Invalid filters colour are found in query options.' },
    });
    assert.deepEqual((await cloud.call('GET', '/messages?sort=colour', { as: ALICE, version: '3.5' })).json, {
      badRequest: { code: 400, message: 'Invalid input received: Invalid sort key colour' },
    });
    assert.deepEqual((await cloud.call('GET', '/messages?colour=blue', { as: ADMIN, version: '3.31' })).json, { messages: [] }, 'an admin may name any filter; none matches');
  }));

test('a backup the driver cannot write leaves a message about the backup', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const volumeId = await cloud.availableVolume({ size: 1 }, ALICE);
    // The backup driver's directory replaced by a file: its write fails.
    const directory = dirname(cloud.backupPath('x'));
    await rm(directory, { recursive: true, force: true });
    await writeFile(directory, 'not a directory');
    const created = await cloud.call('POST', '/backups', { body: { backup: { volume_id: volumeId } }, as: ALICE });
    assert.equal(created.status, 202, created.text);
    const backupId = String((created.json['backup'] as Json)['id']);
    assert.equal((((await cloud.settle(`/backups/${backupId}`, ALICE)).json['backup']) as Json)['status'], 'error');
    const [message] = (await cloud.call('GET', '/messages', { as: ALICE, version: '3.3' })).json['messages'] as Json[];
    assert.equal(message?.['event_id'], 'VOLUME_VOLUME_BACKUP_013_020');
    assert.equal(message?.['user_message'], 'create backup:Backup driver failed to create backup.');
    assert.equal(message?.['resource_type'], 'VOLUME_BACKUP');
    assert.equal(message?.['resource_uuid'], backupId);
  }));

test('the scheduler deletes messages past their guaranteed_until ([volume] message_ttl), periodically; message_ttl and message_reap_interval refuse bad values', () =>
  withVolumeCloud(
    'sqlite',
    async (cloud) => {
      const type = await cloud.call('POST', '/types', { body: { volume_type: { name: 'nowhere', extra_specs: { volume_backend_name: 'absent' } } }, as: ADMIN });
      const volumeId = await unplaceableVolume(cloud, String((type.json['volume_type'] as Json)['id']));
      const [message] = (await cloud.call('GET', '/messages', { as: ALICE, version: '3.3' })).json['messages'] as Json[];
      assert.equal(message?.['resource_uuid'], volumeId, 'kept until its guaranteed_until');
      const guaranteedUntil = Date.parse(`${String(message?.['guaranteed_until'])}Z`);
      assert.equal(guaranteedUntil - Date.parse(`${String(message?.['created_at'])}Z`), 3000);

      for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
        if (((await cloud.call('GET', '/messages', { as: ALICE, version: '3.3' })).json['messages'] as Json[]).length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(Date.now() >= guaranteedUntil, 'not reaped before its time');
      assert.deepEqual((await cloud.call('GET', '/messages', { as: ADMIN, version: '3.3' })).json, { messages: [] });
      assert.equal((await cloud.call('GET', `/messages/${String(message?.['id'])}`, { as: ALICE, version: '3.3' })).status, 404);
    },
    { volume: { message_ttl: '3' }, messageReapIntervalMs: 200 },
  ).then(() => {
    const bad: readonly Record<string, string>[] = [{ message_ttl: '-1' }, { message_reap_interval: '0' }, { message_ttl: 'soon' }];
    for (const volume of bad) {
      assert.throws(() => loadConfig({ env: {}, flags: { volume } }), /message_/, JSON.stringify(volume));
    }
  }));

test('a snapshot the driver cannot create leaves a message about the snapshot (Cinder\'s SNAPSHOT_CREATE, SNAPSHOT_CREATE_ERROR)', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const volumeId = await cloud.availableVolume({ size: 1 }, ALICE);
    // The volume's data gone from the backend: the driver's snapshot copy fails.
    await rm(cloud.volumePath(volumeId));
    const created = await cloud.call('POST', '/snapshots', { body: { snapshot: { volume_id: volumeId } }, as: ALICE });
    assert.equal(created.status, 202, created.text);
    const snapshotId = String((created.json['snapshot'] as Json)['id']);
    assert.equal(((await cloud.settle(`/snapshots/${snapshotId}`, ALICE)).json['snapshot'] as Json)['status'], 'error');
    const [message] = (await cloud.call('GET', '/messages', { as: ALICE, version: '3.3' })).json['messages'] as Json[];
    assert.deepEqual(
      [message?.['event_id'], message?.['user_message'], message?.['resource_type'], message?.['resource_uuid']],
      ['VOLUME_VOLUME_SNAPSHOT_009_013', 'create snapshot:Snapshot failed to create.', 'VOLUME_SNAPSHOT', snapshotId],
    );
  }));

/** The messages of ALICE's project once `count` are there, oldest first (a compute refusal is recorded after the volume's status). */
async function messagesOnceThere(cloud: VolumeCloud, count: number): Promise<Json[]> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const messages = (await cloud.call('GET', '/messages?sort=created_at:asc', { as: ALICE, version: '3.5' })).json['messages'] as Json[];
    if (messages.length >= count) return messages;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`fewer than ${count} messages`);
}

test('compute refusing volume-extended or volume-reimaged leaves a message about the volume (Cinder\'s NOTIFY_COMPUTE_SERVICE_FAILED, REIMAGE_VOLUME_FAILED); the volume keeps its change', async () => {
  const told: string[] = [];
  const refuse = (event: string) => async () => {
    told.push(event);
    throw new Error('compute is down');
  };
  await withVolumeCloud(
    'sqlite',
    async (cloud) => {
      const extended = await cloud.availableVolume({ size: 1 }, ALICE);
      const server = '5b2a4f3e-8c1d-4e6f-9a7b-0c1d2e3f4a5b';
      const action = (id: string, body: Json, version: string) => cloud.call('POST', `/volumes/${id}/action`, { body, as: ALICE, version });
      assert.equal((await action(extended, { 'os-attach': { instance_uuid: server, mountpoint: '/dev/vdb' } }, '3.0')).status, 202);
      assert.equal((await action(extended, { 'os-extend': { new_size: 2 } }, '3.42')).status, 202);
      const [extendMessage] = await messagesOnceThere(cloud, 1);
      assert.deepEqual(
        [extendMessage?.['event_id'], extendMessage?.['user_message'], extendMessage?.['resource_type'], extendMessage?.['resource_uuid']],
        ['VOLUME_VOLUME_007_009', 'extend volume:Compute service failed to extend volume.', 'VOLUME', extended],
      );
      const grown = (await cloud.settle(`/volumes/${extended}`, ALICE)).json['volume'] as Json;
      assert.deepEqual([grown['status'], grown['size']], ['in-use', 2]);

      const image = await cloud.images.create(ALICE, { name: 'rebuild', disk_format: 'raw', container_format: 'bare' });
      await cloud.images.uploadImageData(ALICE, image.id, Readable.from([Buffer.alloc(4096, 7)]));
      const root = await cloud.availableVolume({ size: 1 }, ALICE);
      const reserved = await cloud.call('POST', '/attachments', { body: { attachment: { volume_uuid: root, instance_uuid: server } }, as: ALICE, version: '3.27' });
      assert.equal(reserved.status, 200, reserved.text);
      assert.equal((await action(root, { 'os-reimage': { image_id: image.id, reimage_reserved: true } }, '3.68')).status, 202);
      const [, reimageMessage] = await messagesOnceThere(cloud, 2);
      assert.deepEqual(
        [reimageMessage?.['event_id'], reimageMessage?.['user_message'], reimageMessage?.['resource_uuid']],
        ['VOLUME_VOLUME_016_028', 'reimage volume:Compute service failed to reimage volume.', root],
      );
      const rebuilt = (await cloud.call('GET', `/volumes/${root}`, { as: ALICE })).json['volume'] as Json;
      assert.deepEqual([rebuilt['status'], (rebuilt['volume_image_metadata'] as Json)['image_id']], ['reserved', image.id]);
      assert.deepEqual(told, ['volume-extended', 'volume-reimaged']);
    },
    { compute: { volumeExtended: refuse('volume-extended'), volumeReimaged: refuse('volume-reimaged') } },
  );
});
