import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN, memberOf, withVolumeCloud, type VolumeCloud } from '../../testing/volume-cloud.js';

const ALICE = memberOf('alice-project');
const BOB = memberOf('bob-project');

type Json = Record<string, unknown>;

async function volumeOf(cloud: VolumeCloud, id: string): Promise<Json> {
  return (await cloud.call('GET', `/volumes/${id}`, { as: ADMIN })).json['volume'] as Json;
}

async function until(cloud: VolumeCloud, id: string, done: (volume: Json) => boolean): Promise<Json> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const volume = await volumeOf(cloud, id);
    if (done(volume)) return volume;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`volume ${id} did not settle`);
}

const action = (cloud: VolumeCloud, id: string, body: Json, as = ALICE) => cloud.call('POST', `/volumes/${id}/action`, { body, as });

test('os-update_readonly_flag shows as metadata readonly "True"/"False", of an available volume only; bad input is 400', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const id = await cloud.availableVolume({ size: 1, metadata: { a: 'b' } }, ALICE);
    for (const readonly of [true, false]) {
      assert.equal((await action(cloud, id, { 'os-update_readonly_flag': { readonly } })).status, 202);
      assert.deepEqual((await volumeOf(cloud, id))['metadata'], { a: 'b', readonly: readonly ? 'True' : 'False' });
    }
    assert.deepEqual((await cloud.call('GET', `/volumes/${id}/metadata`, { as: ALICE })).json, { metadata: { a: 'b' } }, 'not among the user metadata');
    assert.equal((await action(cloud, id, { 'os-update_readonly_flag': { readonly: 'maybe' } })).status, 400);
    assert.equal((await action(cloud, id, { 'os-update_readonly_flag': {} })).status, 400);
    assert.equal((await action(cloud, id, { 'os-update_readonly_flag': { readonly: true } }, BOB)).status, 404);

    assert.equal((await action(cloud, id, { 'os-reset_status': { status: 'error' } }, ADMIN)).status, 202);
    const refused = await action(cloud, id, { 'os-update_readonly_flag': { readonly: true } });
    assert.deepEqual(refused.json, { badRequest: { code: 400, message: `Invalid volume: Volume ${id} status must be available to update readonly flag, but current status is: error.` } });
    assert.equal(((await volumeOf(cloud, id))['metadata'] as Json)['readonly'], 'False', 'unchanged');
  }));

test('os-set/unset/show_image_metadata: merged, shown in the volume and by the action, one key removed; an absent key is 404', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const id = await cloud.availableVolume({ size: 1 }, ALICE);
    const set = await action(cloud, id, { 'os-set_image_metadata': { metadata: { image_name: 'image', ramdisk_id: 'somedisk' } } });
    assert.deepEqual([set.status, set.json], [200, { metadata: { image_name: 'image', ramdisk_id: 'somedisk' } }]);
    assert.deepEqual((await action(cloud, id, { 'os-set_image_metadata': { metadata: { kernel_id: 'k' } } })).json, { metadata: { image_name: 'image', ramdisk_id: 'somedisk', kernel_id: 'k' } });
    assert.deepEqual((await volumeOf(cloud, id))['volume_image_metadata'], { image_name: 'image', ramdisk_id: 'somedisk', kernel_id: 'k' });

    const unset = await action(cloud, id, { 'os-unset_image_metadata': { key: 'ramdisk_id' } });
    assert.deepEqual([unset.status, unset.text], [200, '']);
    const shown = await action(cloud, id, { 'os-show_image_metadata': null });
    assert.deepEqual([shown.status, shown.json], [200, { metadata: { image_name: 'image', kernel_id: 'k' } }]);
    assert.deepEqual((await action(cloud, id, { 'os-unset_image_metadata': { key: 'ramdisk_id' } })).json, { itemNotFound: { code: 404, message: 'The key cannot be found.' } });
    assert.equal((await action(cloud, id, { 'os-set_image_metadata': { metadata: 'x' } })).status, 400);
    assert.equal((await action(cloud, id, { 'os-set_image_metadata': { metadata: { k: 'v' } } }, { ...ALICE, roles: ['reader'] })).status, 403);
  }));

test('os-retype: to a type the backend fits the volume keeps its host with the new type; to one it does not, the old type and status stay; bad input is 400/404', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const typeId = async (name: string, extraSpecs: Json) => {
      const reply = await cloud.call('POST', '/types', { body: { volume_type: { name, extra_specs: extraSpecs } }, as: ADMIN });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      return String((reply.json['volume_type'] as Json)['id']);
    };
    await typeId('type-1', {});
    await typeId('type-2', { volume_backend_name: 'file' });
    await typeId('iscsi-only', { storage_protocol: 'iSCSI' });
    const id = await cloud.availableVolume({ size: 1, volume_type: 'type-1' }, ALICE);
    const before = await volumeOf(cloud, id);

    assert.equal((await action(cloud, id, { 'os-retype': { new_type: 'type-2', migration_policy: 'never' } })).status, 202);
    const after = await until(cloud, id, (volume) => volume['status'] !== 'retyping');
    assert.deepEqual([after['status'], after['volume_type'], after['os-vol-host-attr:host']], ['available', 'type-2', before['os-vol-host-attr:host']]);

    assert.equal((await action(cloud, id, { 'os-retype': { new_type: 'iscsi-only', migration_policy: 'on-demand' } })).status, 202);
    const refused = await until(cloud, id, (volume) => volume['status'] !== 'retyping');
    assert.deepEqual([refused['status'], refused['volume_type']], ['available', 'type-2']);

    assert.equal((await action(cloud, id, { 'os-retype': { new_type: 'type-2' } })).status, 400, 'the same type');
    assert.equal((await action(cloud, id, { 'os-retype': { new_type: 'no-such-type' } })).status, 404);
    assert.equal((await action(cloud, id, { 'os-retype': { new_type: 'type-1', migration_policy: 'sometimes' } })).status, 400);
    assert.equal((await action(cloud, id, { 'os-retype': {} })).status, 400);
    assert.equal((await volumeOf(cloud, id))['volume_type'], 'type-2', 'nothing changed by the refused ones');
  }));

test('os-force_detach (admin): a volume left in error by a detach is available again with no attachment; members are refused; a later os-detach is a no-op', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const id = await cloud.availableVolume({ size: 1 }, ALICE);
    const server = '5b2a4f3e-8c1d-4e6f-9a7b-0c1d2e3f4a5b';
    assert.equal((await action(cloud, id, { 'os-attach': { instance_uuid: server, mountpoint: '/dev/vdb' } })).status, 202);
    const attached = await volumeOf(cloud, id);
    assert.equal(attached['status'], 'in-use');
    const attachmentId = String(((attached['attachments'] as Json[])[0] ?? {})['attachment_id']);
    assert.equal((await action(cloud, id, { 'os-reset_status': { status: 'error' } }, ADMIN)).status, 202);

    assert.equal((await action(cloud, id, { 'os-force_detach': { attachment_id: attachmentId, connector: null } })).status, 403);
    assert.equal((await action(cloud, id, { 'os-force_detach': { attachment_id: '00000000-0000-4000-8000-000000000000' } }, ADMIN)).status, 404);
    assert.equal((await action(cloud, id, { 'os-force_detach': { colour: 'red' } }, ADMIN)).status, 400);
    assert.equal((await volumeOf(cloud, id))['status'], 'error', 'nothing changed by the refused ones');

    assert.equal((await action(cloud, id, { 'os-force_detach': { attachment_id: attachmentId, connector: null } }, ADMIN)).status, 202);
    const detached = await volumeOf(cloud, id);
    assert.deepEqual([detached['status'], detached['attachments']], ['available', []]);
    const again = await action(cloud, id, { 'os-detach': {} });
    assert.equal(again.status, 202, 'a detach with nothing attached is no error (Cinder\'s manager sets the volume available)');
    assert.equal((await volumeOf(cloud, id))['status'], 'available');
  }));
