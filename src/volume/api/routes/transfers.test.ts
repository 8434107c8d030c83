import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestContext } from '../../../common/context/request-context.js';
import { ADMIN, memberOf, withVolumeCloud, type VolumeCloud } from '../../testing/volume-cloud.js';

const ALICE = memberOf('alice-project');
const BOB = memberOf('bob-project');
const CAROL = memberOf('carol-project');

type Json = Record<string, unknown>;

async function volumeAs(cloud: VolumeCloud, id: string, as: RequestContext): Promise<Json> {
  const reply = await cloud.call('GET', `/volumes/${id}`, { as });
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  return reply.json['volume'] as Json;
}

async function usage(cloud: VolumeCloud, project: string): Promise<{ volumes: unknown; gigabytes: unknown; snapshots: unknown }> {
  const quota = (await cloud.call('GET', `/os-quota-sets/${project}?usage=True`, { as: ADMIN })).json['quota_set'] as Record<string, Json>;
  return { volumes: quota['volumes']?.['in_use'], gigabytes: quota['gigabytes']?.['in_use'], snapshots: quota['snapshots']?.['in_use'] };
}

test('transfer: the auth key shown once, the volume awaits; another project accepts it and the volume, its snapshot and their quota usage move', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const { call } = cloud;
    const volumeId = await cloud.availableVolume({ size: 2 }, ALICE);
    const snapshot = await call('POST', '/snapshots', { body: { snapshot: { volume_id: volumeId } }, as: ALICE });
    const snapshotId = String((snapshot.json['snapshot'] as Json)['id']);
    assert.equal(((await cloud.settle(`/snapshots/${snapshotId}`, ALICE)).json['snapshot'] as Json)['status'], 'available');

    const created = await call('POST', '/os-volume-transfer', { body: { transfer: { volume_id: volumeId, name: ' move me ' } }, as: ALICE });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    const transfer = created.json['transfer'] as Json;
    assert.deepEqual(Object.keys(transfer).sort(), ['auth_key', 'created_at', 'id', 'links', 'name', 'volume_id']);
    assert.equal(transfer['name'], 'move me', 'the name is stripped, as Cinder does');
    const id = String(transfer['id']);
    const authKey = String(transfer['auth_key']);
    assert.match(authKey, /^[0-9a-f]{16}$/);
    assert.equal((await volumeAs(cloud, volumeId, ALICE))['status'], 'awaiting-transfer');

    const shown = await call('GET', `/os-volume-transfer/${id}`, { as: ALICE });
    assert.equal(shown.status, 200);
    assert.equal((shown.json['transfer'] as Json)['auth_key'], undefined, 'the key is shown only at creation');
    assert.deepEqual(((await call('GET', '/os-volume-transfer', { as: ALICE })).json['transfers'] as Json[]).map((t) => t['id']), [id]);
    assert.deepEqual(Object.keys(((await call('GET', '/os-volume-transfer/detail', { as: ALICE })).json['transfers'] as Json[])[0] ?? {}).sort(), ['created_at', 'id', 'links', 'name', 'volume_id']);
    assert.equal((await call('DELETE', `/volumes/${volumeId}`, { as: ALICE })).status, 400, 'a volume awaiting a transfer is not deleted');
    assert.equal((await call('POST', '/os-volume-transfer', { body: { transfer: { volume_id: volumeId } }, as: ALICE })).status, 400, 'offered once');

    assert.deepEqual(await usage(cloud, 'alice-project'), { volumes: 1, gigabytes: 4, snapshots: 1 });
    assert.deepEqual(await usage(cloud, 'bob-project'), { volumes: 0, gigabytes: 0, snapshots: 0 });
    const accepted = await call('POST', `/os-volume-transfer/${id}/accept`, { body: { accept: { auth_key: authKey } }, as: BOB });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.json));
    assert.deepEqual(Object.keys(accepted.json['transfer'] as Json).sort(), ['id', 'links', 'name', 'volume_id']);

    const moved = await volumeAs(cloud, volumeId, BOB);
    assert.deepEqual([moved['status'], moved['user_id']], ['available', 'user-of-bob-project']);
    assert.equal((await call('GET', `/volumes/${volumeId}`, { as: ALICE })).status, 404, 'no longer the donor\'s');
    assert.equal((await call('GET', `/snapshots/${snapshotId}`, { as: BOB })).status, 200, 'the snapshot went with it');
    assert.deepEqual(await usage(cloud, 'alice-project'), { volumes: 0, gigabytes: 0, snapshots: 0 });
    assert.deepEqual(await usage(cloud, 'bob-project'), { volumes: 1, gigabytes: 4, snapshots: 1 });
    assert.equal((await call('GET', `/os-volume-transfer/${id}`, { as: ALICE })).status, 404, 'an accepted transfer is gone');
    assert.equal((await call('POST', `/os-volume-transfer/${id}/accept`, { body: { accept: { auth_key: authKey } }, as: CAROL })).status, 404, 'and accepted once');
  }));

test('transfer: a wrong key is 400 and changes nothing; a third project cannot see it; the recipient\'s quota is checked; delete frees the volume', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const { call } = cloud;
    const volumeId = await cloud.availableVolume({ size: 1 }, ALICE);
    const created = await call('POST', '/os-volume-transfer', { body: { transfer: { volume_id: volumeId } }, as: ALICE });
    const id = String((created.json['transfer'] as Json)['id']);
    const authKey = String((created.json['transfer'] as Json)['auth_key']);

    const wrong = await call('POST', `/os-volume-transfer/${id}/accept`, { body: { accept: { auth_key: '0123456789abcdef' } }, as: BOB });
    assert.deepEqual(wrong.json, { badRequest: { code: 400, message: `Invalid auth key: Attempt to transfer ${id} with invalid auth key.` } });
    const still = await volumeAs(cloud, volumeId, ALICE);
    assert.deepEqual([still['status'], still['user_id']], ['awaiting-transfer', 'user-of-alice-project']);

    assert.deepEqual((await call('GET', `/os-volume-transfer/${id}`, { as: CAROL })).json, { itemNotFound: { code: 404, message: `Transfer ${id} could not be found.` } });
    assert.deepEqual((await call('GET', '/os-volume-transfer/detail', { as: CAROL })).json, { transfers: [] });
    assert.equal((await call('DELETE', `/os-volume-transfer/${id}`, { as: CAROL })).status, 404);
    assert.equal(((await call('GET', '/os-volume-transfer?all_tenants=1', { as: ADMIN })).json['transfers'] as Json[]).length, 1, 'an admin sees every project\'s');

    assert.equal((await call('PUT', '/os-quota-sets/carol-project', { body: { quota_set: { volumes: 0 } }, as: ADMIN })).status, 200);
    const over = await call('POST', `/os-volume-transfer/${id}/accept`, { body: { accept: { auth_key: authKey } }, as: CAROL });
    assert.deepEqual(over.json, { overLimit: { code: 413, message: "Maximum number of volumes allowed (0) exceeded for quota 'volumes'." } });
    assert.equal((await volumeAs(cloud, volumeId, ALICE))['status'], 'awaiting-transfer', 'over quota: nothing moved');

    for (const [body, why] of [
      [{ transfer: {} }, 'no volume_id'],
      [{ transfer: { volume_id: 'not-a-uuid' } }, 'not a uuid'],
      [{ transfer: { volume_id: volumeId, colour: 'red' } }, 'unknown field'],
      [{ transfer: { volume_id: volumeId, no_snapshots: true } }, 'no_snapshots before 3.55'],
      [{ volume_id: volumeId }, 'no transfer key'],
    ] as const) {
      const reply = await call('POST', '/os-volume-transfer', { body, as: ALICE });
      assert.equal(reply.status, 400, why);
      assert.equal((reply.json['badRequest'] as Json | undefined)?.['code'], 400, why);
    }
    assert.equal((await call('POST', `/os-volume-transfer/${id}/accept`, { body: { accept: {} }, as: BOB })).status, 400, 'no auth_key');
    assert.equal((await call('POST', `/os-volume-transfer/${id}/accept`, { body: { auth_key: authKey }, as: BOB })).status, 400, 'no accept key');

    const deleted = await call('DELETE', `/os-volume-transfer/${id}`, { as: ALICE });
    assert.deepEqual([deleted.status, deleted.text], [202, '']);
    assert.equal((await volumeAs(cloud, volumeId, ALICE))['status'], 'available');
    assert.equal((await call('POST', `/os-volume-transfer/${id}/accept`, { body: { accept: { auth_key: authKey } }, as: BOB })).status, 404, 'a deleted transfer cannot be accepted');
  }));

test('transfer at 3.55: /volume-transfers with no_snapshots keeps the snapshots with the donor; below 3.55 the path is not there', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const { call } = cloud;
    const volumeId = await cloud.availableVolume({ size: 1 }, ALICE);
    const snapshot = await call('POST', '/snapshots', { body: { snapshot: { volume_id: volumeId } }, as: ALICE });
    const snapshotId = String((snapshot.json['snapshot'] as Json)['id']);
    await cloud.settle(`/snapshots/${snapshotId}`, ALICE);

    assert.equal((await call('GET', '/volume-transfers', { as: ALICE, version: '3.54' })).status, 404);
    const created = await call('POST', '/volume-transfers', { body: { transfer: { volume_id: volumeId, no_snapshots: true } }, as: ALICE, version: '3.55' });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    const transfer = created.json['transfer'] as Json;
    assert.equal(transfer['no_snapshots'], true);
    const id = String(transfer['id']);
    assert.equal(((await call('GET', `/volume-transfers/${id}`, { as: ALICE, version: '3.55' })).json['transfer'] as Json)['no_snapshots'], true);
    assert.equal(((await call('GET', `/os-volume-transfer/${id}`, { as: ALICE })).json['transfer'] as Json)['no_snapshots'], undefined, '3.0 shows no no_snapshots');

    const accepted = await call('POST', `/volume-transfers/${id}/accept`, { body: { accept: { auth_key: transfer['auth_key'] } }, as: BOB, version: '3.55' });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.json));
    assert.equal((await volumeAs(cloud, volumeId, BOB))['status'], 'available');
    assert.equal((await call('GET', `/snapshots/${snapshotId}`, { as: ALICE })).status, 200, 'the snapshot stayed with the donor');
    assert.equal((await call('GET', `/snapshots/${snapshotId}`, { as: BOB })).status, 404);
  }));
