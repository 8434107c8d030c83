import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { runCommand } from '../../../common/process/run-command.js';
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

test('os-reimage (3.68): an available volume holds the image\'s bytes and metadata and is available again; below 3.68, a missing or too big image, a bad body: refused, nothing changes', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const image = async (bytes: Buffer, minDisk = 0) => {
      const created = await cloud.images.create(ALICE, { name: 'reimage', disk_format: 'raw', container_format: 'bare', min_disk: minDisk });
      await cloud.images.uploadImageData(ALICE, created.id, Readable.from([bytes]));
      return created.id;
    };
    const data = randomBytes(4096);
    const imageId = await image(data);
    const tooBig = await image(randomBytes(512), 5);
    const id = await cloud.availableVolume({ size: 1 }, ALICE);
    const reimage = (body: Json, version = '3.68', as = ALICE) => cloud.call('POST', `/volumes/${id}/action`, { body: { 'os-reimage': body }, as, version });

    assert.equal((await reimage({ image_id: imageId }, '3.67')).status, 404);
    assert.equal((await reimage({})).status, 400);
    assert.equal((await reimage({ image_id: imageId, extra: 1 })).status, 400);
    assert.equal((await reimage({ image_id: imageId, reimage_reserved: 'perhaps' })).status, 400);
    assert.equal((await reimage({ image_id: '0b7a1f9e-0000-4000-8000-0000000000ff' })).status, 404);
    assert.match(JSON.stringify((await reimage({ image_id: tooBig })).json), /cannot be smaller than the image minDisk size 5GB/);
    assert.equal((await reimage({ image_id: imageId }, '3.68', BOB)).status, 404);
    const before = await volumeOf(cloud, id);
    assert.deepEqual([before['status'], before['bootable'], before['volume_image_metadata']], ['available', 'false', undefined]);

    assert.equal((await reimage({ image_id: imageId })).status, 202);
    const after = await until(cloud, id, (volume) => volume['status'] === 'available');
    assert.deepEqual([after['bootable'], (after['volume_image_metadata'] as Json)['image_id'], after['size']], ['true', imageId, 1]);
    assert.deepEqual((await readFile(cloud.volumePath(id))).subarray(0, data.length), data);
  }));

test('views at 3.56–3.66: volume_type_id, encryption_key_id, consumes_quota and (to admins) cluster_name; a snapshot needs no force at 3.66 and refuses force false', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const id = await cloud.availableVolume({ size: 1 }, ALICE);
    const show = async (version: string, as = ALICE) => (await cloud.call('GET', `/volumes/${id}`, { as, version })).json['volume'] as Json;
    const old = await show('3.60');
    assert.deepEqual([old['volume_type_id'], old['consumes_quota'], 'encryption_key_id' in old], [undefined, undefined, false]);
    const now = await show('3.68');
    assert.equal(typeof now['volume_type_id'], 'string');
    assert.deepEqual([now['encryption_key_id'], now['consumes_quota'], 'cluster_name' in now], [null, true, false]);
    assert.equal((await show('3.68', ADMIN))['cluster_name'], null);

    const snapshot = (body: Json, version: string) => cloud.call('POST', '/snapshots', { body: { snapshot: { volume_id: id, ...body } }, as: ALICE, version });
    const refused = await snapshot({ force: false }, '3.66');
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.json), /Since microversion 3.66 the 'force' flag is invalid/);
    const made = await snapshot({ name: 's' }, '3.66');
    assert.equal(made.status, 202, JSON.stringify(made.json));
    assert.equal((made.json['snapshot'] as Json)['consumes_quota'], true);
    assert.equal(((await snapshot({ name: 't' }, '3.64')).json['snapshot'] as Json)['consumes_quota'], undefined);
  }));

test('os-volume_upload_image: a volume made from an image becomes an active qcow2 image holding its data and inherited properties, available again; in use only with force (enable_force_upload on); refused input changes nothing; a failed copy deletes the image', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const source = await cloud.images.create(ALICE, { name: 'source', disk_format: 'raw', container_format: 'bare' });
    await cloud.images.uploadImageData(ALICE, source.id, Readable.from([randomBytes(64 * 1024)]));
    const id = await cloud.availableVolume({ size: 1, imageRef: source.id }, ALICE);
    assert.equal((await action(cloud, id, { 'os-set_image_metadata': { metadata: { hw_disk_bus: 'scsi', os_glance_x: 'y' } } })).status, 200);
    const upload = (body: Json, options: { version?: string; as?: typeof ALICE; volume?: string } = {}) =>
      cloud.call('POST', `/volumes/${options.volume ?? id}/action`, { body: { 'os-volume_upload_image': body }, as: options.as ?? ALICE, version: options.version ?? '3.1' });
    const imageCount = async () => (await cloud.images.listForCompute(ADMIN, {})).length;

    const refusals: [Json, { version?: string; as?: typeof ALICE; volume?: string }, number][] = [
      [{}, {}, 400],
      [{ image_name: '' }, {}, 400],
      [{ image_name: 'i', disk_format: 'iso' }, {}, 400],
      [{ image_name: 'i', force: 'perhaps' }, {}, 400],
      [{ image_name: 'i', colour: 'red' }, {}, 400],
      [{ image_name: 'i', visibility: 'private' }, { version: '3.0' }, 400],
      [{ image_name: 'i', visibility: 'everyone' }, {}, 400],
      [{ image_name: 'i', container_format: 'crate' }, {}, 400],
      [{ image_name: 'i', visibility: 'public' }, {}, 403],
      [{ image_name: 'i' }, { as: BOB }, 404],
      [{ image_name: 'i' }, { volume: '0b7a1f9e-0000-4000-8000-0000000000ff' }, 404],
      [{ image_name: 'i' }, { as: { ...ALICE, roles: ['reader'] } }, 403],
    ];
    const imagesBefore = await imageCount();
    for (const [body, options, status] of refusals) {
      const refused = await upload(body, options);
      assert.equal(refused.status, status, `${JSON.stringify(body)} ${JSON.stringify(options)}: ${refused.text}`);
    }
    assert.equal((await volumeOf(cloud, id))['status'], 'available', 'nothing changed by the refused ones');
    assert.equal(await imageCount(), imagesBefore, 'and no image was made');

    const accepted = await upload({ image_name: 'from-volume', disk_format: 'qcow2', visibility: 'shared', force: false });
    assert.equal(accepted.status, 202, accepted.text);
    const answer = accepted.json['os-volume_upload_image'] as Json;
    const imageId = String(answer['image_id']);
    assert.deepEqual(
      { ...answer, image_id: undefined, updated_at: undefined, volume_type: (answer['volume_type'] as Json)['name'] },
      { id, image_id: undefined, updated_at: undefined, status: 'uploading', display_description: null, size: 1, volume_type: '__DEFAULT__', container_format: 'bare', disk_format: 'qcow2', image_name: 'from-volume', protected: false, visibility: 'shared' },
    );
    const after = await until(cloud, id, (volume) => volume['status'] !== 'uploading');
    assert.equal(after['status'], 'available');
    const image = await cloud.images.getImageForCompute(ALICE, imageId);
    assert.deepEqual(
      [image.status, image.disk_format, image.min_disk, image.owner, image.properties['hw_disk_bus'], 'os_glance_x' in image.properties, 'image_id' in image.properties],
      ['active', 'qcow2', 1, 'alice-project', 'scsi', false, false],
    );
    const dir = await mkdtemp(join(tmpdir(), 'nimbus-upload-image-'));
    try {
      const uploaded = join(dir, 'uploaded.qcow2');
      await pipeline(await cloud.images.openImageData(ALICE, imageId), createWriteStream(uploaded));
      await runCommand('qemu-img', ['compare', '-q', '-f', 'qcow2', '-F', 'raw', uploaded, cloud.volumePath(id)]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    // In use: only with force, and in use again after.
    assert.equal((await action(cloud, id, { 'os-attach': { instance_uuid: '5b2a4f3e-8c1d-4e6f-9a7b-0c1d2e3f4a5b', mountpoint: '/dev/vdb' } })).status, 202);
    const inUse = await upload({ image_name: 'attached' }, { version: '3.0' });
    assert.deepEqual(inUse.json, { badRequest: { code: 400, message: `Invalid volume: Volume ${id} status must be available` } });
    const forced = await upload({ image_name: 'attached', disk_format: 'qcow2', force: true }, { version: '3.0' });
    assert.equal(forced.status, 202, forced.text);
    assert.equal('visibility' in (forced.json['os-volume_upload_image'] as Json), false, 'no visibility before 3.1');
    assert.equal((await until(cloud, id, (volume) => volume['status'] !== 'uploading'))['status'], 'in-use');
    assert.equal((await cloud.images.getImageForCompute(ALICE, String((forced.json['os-volume_upload_image'] as Json)['image_id']))).status, 'active');

    // The backend's copy fails (its file is gone): the volume is back, the queued image deleted.
    const lost = await cloud.availableVolume({ size: 1 }, ALICE);
    await rm(cloud.volumePath(lost));
    const failing = await upload({ image_name: 'lost', disk_format: 'qcow2' }, { volume: lost });
    assert.equal(failing.status, 202, failing.text);
    assert.equal((await until(cloud, lost, (volume) => volume['status'] !== 'uploading'))['status'], 'available');
    await assert.rejects(cloud.images.getImageForCompute(ALICE, String((failing.json['os-volume_upload_image'] as Json)['image_id'])), /No image found/);
  }, { volume: { enable_force_upload: 'true' } }));

test("os-volume_upload_image's force is ignored unless [volume] enable_force_upload (off by default, as Cinder): an in-use volume is refused and stays in use", () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const id = await cloud.availableVolume({ size: 1 }, ALICE);
    assert.equal((await action(cloud, id, { 'os-attach': { instance_uuid: '5b2a4f3e-8c1d-4e6f-9a7b-0c1d2e3f4a5b', mountpoint: '/dev/vdb' } })).status, 202);
    const imagesBefore = (await cloud.images.listForCompute(ADMIN, {})).length;
    const forced = await cloud.call('POST', `/volumes/${id}/action`, { body: { 'os-volume_upload_image': { image_name: 'attached', force: true } }, as: ALICE });
    assert.deepEqual(forced.json, { badRequest: { code: 400, message: `Invalid volume: Volume ${id} status must be available` } });
    assert.equal((await volumeOf(cloud, id))['status'], 'in-use');
    assert.equal((await cloud.images.listForCompute(ADMIN, {})).length, imagesBefore);
  }));
