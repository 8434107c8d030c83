import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { RequestContext } from '../../../common/context/request-context.js';
import { ADMIN, memberOf, withVolumeCloud, type VolumeCloud } from '../../testing/volume-cloud.js';

const run = promisify(execFile);
const ALICE = memberOf('alice-project');
const BOB = memberOf('bob-project');
const READER: RequestContext = { ...memberOf('alice-project'), roles: ['reader'] };

type Json = Record<string, unknown>;
const volumeOf = (reply: { json: Json }) => reply.json['volume'] as Json;

async function createVolume(cloud: VolumeCloud, body: Json, as: RequestContext = ALICE): Promise<Json> {
  const created = await cloud.call('POST', '/volumes', { body: { volume: body }, as });
  assert.equal(created.status, 202, JSON.stringify(created.json));
  return volumeOf(await cloud.settle(`/volumes/${String(volumeOf(created)['id'])}`, as));
}

describe('volume routes over the scheduler and a file backend', () => {
  test('create → available with Cinder\'s view; show, list, detail, update, metadata; delete removes the file', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const created = await cloud.call('POST', '/volumes', { body: { volume: { size: 1, name: 'v1', metadata: { a: 'b' } } }, as: ALICE });
      assert.equal(created.status, 202);
      assert.equal(volumeOf(created)['status'], 'creating');
      const id = String(volumeOf(created)['id']);
      const shown = volumeOf(await cloud.settle(`/volumes/${id}`, ALICE));
      assert.equal(shown['status'], 'available');
      assert.equal(shown['size'], 1);
      assert.equal(shown['volume_type'], '__DEFAULT__');
      assert.equal(shown['bootable'], 'false');
      assert.deepEqual(shown['metadata'], { a: 'b' });
      assert.equal(shown['os-vol-tenant-attr:tenant_id'], 'alice-project');
      assert.equal('os-vol-host-attr:host' in shown, false, 'the host is for admins');
      assert.deepEqual(await cloud.backendFiles(), [`volume-${id}`]);

      const admin = volumeOf(await cloud.call('GET', `/volumes/${id}`, { as: ADMIN }));
      assert.equal(admin['os-vol-host-attr:host'], 'test-host@file#file');
      assert.equal((await cloud.call('GET', `/volumes/${id}`, { as: BOB })).status, 404);
      assert.deepEqual((await cloud.call('GET', `/volumes/${id}`, { as: BOB })).json, { itemNotFound: { code: 404, message: `Volume ${id} could not be found.` } });

      const summary = (await cloud.call('GET', '/volumes', { as: ALICE })).json['volumes'] as Json[];
      assert.deepEqual(Object.keys(summary[0] ?? {}).sort(), ['id', 'links', 'name']);
      assert.equal(((await cloud.call('GET', '/volumes/detail', { as: BOB })).json['volumes'] as Json[]).length, 0);

      const updated = await cloud.call('PUT', `/volumes/${id}`, { body: { volume: { name: 'renamed', description: 'd' } }, as: ALICE });
      assert.deepEqual([volumeOf(updated)['name'], volumeOf(updated)['description']], ['renamed', 'd']);
      assert.deepEqual((await cloud.call('POST', `/volumes/${id}/metadata`, { body: { metadata: { c: 'd' } }, as: ALICE })).json, { metadata: { a: 'b', c: 'd' } });
      assert.equal((await cloud.call('DELETE', `/volumes/${id}/metadata/a`, { as: ALICE })).status, 200);
      assert.deepEqual((await cloud.call('GET', `/volumes/${id}/metadata`, { as: ALICE })).json, { metadata: { c: 'd' } });
      assert.equal((await cloud.call('DELETE', `/volumes/${id}`, { as: READER })).status, 403, 'a reader may not delete');

      assert.equal((await cloud.call('DELETE', `/volumes/${id}`, { as: ALICE })).status, 202);
      assert.equal((await cloud.settle(`/volumes/${id}`, ALICE)).status, 404);
      assert.deepEqual(await cloud.backendFiles(), []);
    }));

  test('bad input is Cinder\'s 400/404/413 and creates nothing', () =>
    withVolumeCloud(
      'sqlite',
      async (cloud) => {
        const bad = async (body: Json, status: number, key: string) => {
          const reply = await cloud.call('POST', '/volumes', { body: { volume: body }, as: ALICE });
          assert.equal(reply.status, status, JSON.stringify(reply.json));
          assert.ok(key in reply.json, JSON.stringify(reply.json));
          return String((reply.json[key] as Json)['message']);
        };
        await bad({ size: 0 }, 400, 'badRequest');
        await bad({ size: -1 }, 400, 'badRequest');
        await bad({ size: '0' }, 400, 'badRequest');
        await bad({}, 400, 'badRequest');
        assert.equal(await bad({ size: 1, volume_type: 'nope' }, 404, 'itemNotFound'), 'Volume type with name nope could not be found.');
        assert.equal(await bad({ size: 6 }, 413, 'overLimit'), 'Requested volume or snapshot exceeds allowed gigabytes quota. Requested 6G, quota is 5G and 0G has been consumed.');
        assert.match(await bad({ size: 1, availability_zone: 'elsewhere' }, 400, 'badRequest'), /Availability zone 'elsewhere' is invalid/);
        assert.equal((await bad({ size: 1, snapshot_id: '00000000-0000-4000-8000-000000000000' }, 404, 'itemNotFound')), 'Snapshot 00000000-0000-4000-8000-000000000000 could not be found.');
        await createVolume(cloud, { size: 1 });
        await createVolume(cloud, { size: 1 });
        assert.equal(await bad({ size: 1 }, 413, 'overLimit'), "Maximum number of volumes allowed (2) exceeded for quota 'volumes'.");
        assert.equal(((await cloud.call('GET', '/volumes', { as: ALICE })).json['volumes'] as Json[]).length, 2);
        assert.equal((await cloud.backendFiles()).length, 2);
        const noSuchAction = await cloud.call('POST', `/volumes/${String(((await cloud.call('GET', '/volumes', { as: ALICE })).json['volumes'] as Json[])[0]?.['id'])}/action`, { body: { 'os-frobnicate': {} }, as: ALICE });
        assert.deepEqual(noSuchAction.json, { badRequest: { code: 400, message: 'There is no such action: os-frobnicate' } });
      },
      { volume: { quota_gigabytes: '5', quota_volumes: '2' } },
    ));

  test('snapshots: create, list, a volume from it, no delete of a volume that has one, clone from a volume', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const source = await createVolume(cloud, { size: 1, name: 'src' });
      const sourceId = String(source['id']);
      const created = await cloud.call('POST', '/snapshots', { body: { snapshot: { volume_id: sourceId, name: 's1' } }, as: ALICE });
      assert.equal(created.status, 202);
      const snapshotId = String((created.json['snapshot'] as Json)['id']);
      const snapshot = (await cloud.settle(`/snapshots/${snapshotId}`, ALICE)).json['snapshot'] as Json;
      assert.deepEqual([snapshot['status'], snapshot['size'], snapshot['volume_id'], snapshot['os-extended-snapshot-attributes:progress']], ['available', 1, sourceId, '100%']);
      assert.equal(((await cloud.call('GET', '/snapshots/detail', { as: ALICE })).json['snapshots'] as Json[]).length, 1);

      const blocked = await cloud.call('DELETE', `/volumes/${sourceId}`, { as: ALICE });
      assert.deepEqual(blocked.json, { badRequest: { code: 400, message: 'Invalid volume: Volume still has 1 dependent snapshots.' } });

      const fromSnapshot = await createVolume(cloud, { snapshot_id: snapshotId, size: 2 });
      assert.deepEqual([fromSnapshot['status'], fromSnapshot['size'], fromSnapshot['snapshot_id']], ['available', 2, snapshotId]);
      const tooSmall = await cloud.call('POST', '/volumes', { body: { volume: { source_volid: String(fromSnapshot['id']), size: 1 } }, as: ALICE });
      assert.equal(tooSmall.status, 400);
      const clone = await createVolume(cloud, { source_volid: sourceId });
      assert.deepEqual([clone['status'], clone['size'], clone['source_volid'], clone['bootable']], ['available', 1, sourceId, 'false']);
      assert.equal((await cloud.call('POST', `/volumes/${sourceId}/action`, { body: { 'os-set_bootable': { bootable: true } }, as: ALICE })).status, 200);
      const bootableClone = await createVolume(cloud, { source_volid: sourceId });
      const fromBootable = await createVolume(cloud, { snapshot_id: snapshotId });
      assert.deepEqual([bootableClone['bootable'], fromBootable['bootable']], ['true', 'true'], "a bootable volume's clone, and a volume from its snapshot, are bootable");
      const missing = await cloud.call('POST', '/volumes', { body: { volume: { source_volid: '00000000-0000-0000-0000-000000000000' } }, as: ALICE });
      assert.equal(missing.status, 404);

      assert.equal((await cloud.call('DELETE', `/snapshots/${snapshotId}`, { as: ALICE })).status, 202);
      assert.equal((await cloud.settle(`/snapshots/${snapshotId}`, ALICE)).status, 404);
      for (const id of [sourceId, String(fromSnapshot['id']), String(clone['id']), String(bootableClone['id']), String(fromBootable['id'])]) {
        assert.equal((await cloud.call('DELETE', `/volumes/${id}`, { as: ALICE })).status, 202);
        await cloud.settle(`/volumes/${id}`, ALICE);
      }
      assert.deepEqual(await cloud.backendFiles(), []);
    }));

  test('delete with cascade takes the snapshots along; a bad value or an undeletable snapshot changes nothing', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const volumeId = String((await createVolume(cloud, { size: 1 }))['id']);
      const snapshotIds: string[] = [];
      for (const name of ['s1', 's2']) {
        const created = await cloud.call('POST', '/snapshots', { body: { snapshot: { volume_id: volumeId, name } }, as: ALICE });
        snapshotIds.push(String((created.json['snapshot'] as Json)['id']));
        await cloud.settle(`/snapshots/${snapshotIds.at(-1) ?? ''}`, ALICE);
      }
      const statuses = async () => [
        volumeOf(await cloud.call('GET', `/volumes/${volumeId}`, { as: ALICE }))['status'],
        ...(await Promise.all(snapshotIds.map(async (id) => ((await cloud.call('GET', `/snapshots/${id}`, { as: ALICE })).json['snapshot'] as Json)['status']))),
      ];
      const bad = await cloud.call('DELETE', `/volumes/${volumeId}?cascade=maybe`, { as: ALICE });
      assert.deepEqual(bad.json, { badRequest: { code: 400, message: "Invalid input received: Unrecognized value 'maybe' for cascade" } });
      assert.equal((await cloud.call('POST', `/snapshots/${snapshotIds[0] ?? ''}/action`, { body: { 'os-reset_status': { status: 'error_deleting' } }, as: ADMIN })).status, 202);
      const undeletable = await cloud.call('DELETE', `/volumes/${volumeId}?cascade=true`, { as: ALICE });
      assert.equal(undeletable.status, 400, 'a snapshot in error_deleting is not taken along');
      assert.deepEqual(await statuses(), ['available', 'error_deleting', 'available']);
      assert.equal((await cloud.call('POST', `/snapshots/${snapshotIds[0] ?? ''}/action`, { body: { 'os-reset_status': { status: 'error' } }, as: ADMIN })).status, 202);

      assert.equal((await cloud.call('DELETE', `/volumes/${volumeId}?cascade=true`, { as: ALICE })).status, 202);
      assert.equal((await cloud.settle(`/volumes/${volumeId}`, ALICE)).status, 404);
      for (const id of snapshotIds) assert.equal((await cloud.call('GET', `/snapshots/${id}`, { as: ALICE })).status, 404);
      assert.deepEqual(await cloud.backendFiles(), []);
    }));

  test('extend: larger only, detached; reset_status for admins; the file grows', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const volume = await createVolume(cloud, { size: 1 });
      const id = String(volume['id']);
      const smaller = await cloud.call('POST', `/volumes/${id}/action`, { body: { 'os-extend': { new_size: 1 } }, as: ALICE });
      assert.deepEqual(smaller.json, { badRequest: { code: 400, message: 'Invalid input received: New size for extend must be greater than current size. (current: 1, extended: 1).' } });
      assert.equal((await cloud.call('POST', `/volumes/${id}/action`, { body: { 'os-extend': { new_size: 2 } }, as: ALICE })).status, 202);
      const grown = volumeOf(await cloud.settle(`/volumes/${id}`, ALICE));
      assert.deepEqual([grown['status'], grown['size']], ['available', 2]);

      assert.equal((await cloud.call('POST', `/volumes/${id}/action`, { body: { 'os-reset_status': { status: 'error' } }, as: ALICE })).status, 403);
      assert.equal((await cloud.call('POST', `/volumes/${id}/action`, { body: { 'os-reset_status': { status: 'error' } }, as: ADMIN })).status, 202);
      assert.equal(volumeOf(await cloud.call('GET', `/volumes/${id}`, { as: ALICE }))['status'], 'error');
      const notAvailable = await cloud.call('POST', `/volumes/${id}/action`, { body: { 'os-extend': { new_size: 3 } }, as: ALICE });
      assert.equal(notAvailable.status, 400);
      assert.equal((await cloud.call('POST', `/volumes/${id}/action`, { body: { 'os-set_bootable': { bootable: true } }, as: ALICE })).status, 400);
      await cloud.call('POST', `/volumes/${id}/action`, { body: { 'os-reset_status': { status: 'available' } }, as: ADMIN });
      assert.equal((await cloud.call('POST', `/volumes/${id}/action`, { body: { 'os-set_bootable': { bootable: true } }, as: ALICE })).status, 200);
      assert.equal(volumeOf(await cloud.call('GET', `/volumes/${id}`, { as: ALICE }))['bootable'], 'true');
    }));

  test('from an image: the image\'s bytes, bootable, image metadata; an image bigger than the volume → error, no file', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const raw = join(tmpdir(), `nimbus-volume-image-${process.pid}.raw`);
      const qcow2 = `${raw}.qcow2`;
      const data = randomBytes(4096);
      await writeFile(raw, data);
      await run('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
      const upload = async (path: string) => {
        const image = await cloud.images.create(ALICE, { name: 'img', disk_format: 'qcow2', container_format: 'bare' });
        await cloud.images.uploadImageData(ALICE, image.id, Readable.from([await readFile(path)]));
        return image.id;
      };
      try {
        const imageId = await upload(qcow2);
        const volume = await createVolume(cloud, { size: 1, imageRef: imageId });
        assert.deepEqual([volume['status'], volume['bootable']], ['available', 'true']);
        assert.equal((volume['volume_image_metadata'] as Json)['image_id'], imageId);
        const file = await open(cloud.volumePath(String(volume['id'])), 'r');
        const head = Buffer.alloc(data.length);
        await file.read(head, 0, data.length, 0).finally(() => file.close());
        assert.deepEqual(head, data);

        // The fake inspector says 1 MiB, qemu-img says 2 GiB: the backend refuses, the volume goes to error.
        await run('qemu-img', ['create', '-q', '-f', 'qcow2', qcow2, '2G']);
        const bigId = await upload(qcow2);
        const failed = await createVolume(cloud, { size: 1, imageRef: bigId });
        assert.equal(failed['status'], 'error');
        assert.deepEqual(await cloud.backendFiles(), [`volume-${String(volume['id'])}`]);
        assert.equal((await cloud.call('POST', '/volumes', { body: { volume: { size: 1, imageRef: 'no-such-image' } }, as: ALICE })).status, 404);
        assert.equal((await cloud.call('DELETE', `/volumes/${String(failed['id'])}`, { as: ALICE })).status, 202);
      } finally {
        await rm(raw, { force: true });
        await rm(qcow2, { force: true });
      }
    }));

  test('no backend with room (over-subscription) → the volume goes to error with the scheduler\'s reason', () =>
    withVolumeCloud(
      'sqlite',
      async (cloud) => {
        const volume = await createVolume(cloud, { size: 100000 });
        assert.equal(volume['status'], 'error');
        assert.deepEqual(await cloud.backendFiles(), []);
      },
      { volume: { quota_gigabytes: '-1', max_over_subscription_ratio: '1' } },
    ));

  test('private type access: addProjectAccess opens a type to a project, removeProjectAccess closes it; bad input changes nothing', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      // Cinder's schema takes UUID-like project ids (Keystone's are 32 hex digits).
      const projectId = 'c0ffee00c0ffee00c0ffee00c0ffee00';
      const carol = memberOf(projectId);
      const created = await cloud.call('POST', '/types', { body: { volume_type: { name: 'private', 'os-volume-type-access:is_public': false } }, as: ADMIN });
      const typeId = String((created.json['volume_type'] as Json)['id']);
      const access = async () => (await cloud.call('GET', `/types/${typeId}/os-volume-type-access`, { as: ADMIN })).json;
      const action = (body: Json, as: RequestContext = ADMIN) => cloud.call('POST', `/types/${typeId}/action`, { body, as });
      const make = () => cloud.call('POST', '/volumes', { body: { volume: { size: 1, volume_type: typeId } }, as: carol }, );
      assert.equal((await make()).status, 404, 'closed to the project');

      assert.equal((await action({ addProjectAccess: { project: projectId } }, carol)).status, 403);
      assert.equal((await action({ addProjectAccess: { project: 'not-a-uuid' } })).status, 400);
      assert.equal((await action({ addProjectAccess: { project: projectId }, removeProjectAccess: { project: projectId } })).status, 400);
      const publicType = String(((await cloud.call('GET', '/types/default', { as: ADMIN })).json['volume_type'] as Json)['id']);
      const onPublic = await cloud.call('POST', `/types/${publicType}/action`, { body: { addProjectAccess: { project: projectId } }, as: ADMIN });
      assert.deepEqual(onPublic.json, { badRequest: { code: 400, message: 'Invalid volume type: Type access modification is not applicable to public volume type.' } });
      assert.deepEqual(await access(), { volume_type_access: [] }, 'refused requests changed nothing');

      const added = await action({ addProjectAccess: { project: projectId } });
      assert.deepEqual([added.status, added.text], [202, '']);
      assert.deepEqual((await action({ addProjectAccess: { project: projectId } })).json, {
        conflictingRequest: { code: 409, message: `Volume type access for ${typeId} / ${projectId} combination already exists.` },
      });
      assert.deepEqual(await access(), { volume_type_access: [{ volume_type_id: typeId, project_id: projectId }] });
      assert.equal(((await cloud.call('GET', `/types/${typeId}`, { as: carol })).json['volume_type'] as Json)['name'], 'private');
      assert.ok(((await cloud.call('GET', '/types', { as: carol })).json['volume_types'] as Json[]).some((type) => type['id'] === typeId));
      assert.equal(((await cloud.call('GET', '/types', { as: ALICE })).json['volume_types'] as Json[]).some((type) => type['id'] === typeId), false, 'still closed to others');
      const volume = await cloud.settle(`/volumes/${String(volumeOf(await make())['id'])}`, carol);
      assert.deepEqual([volumeOf(volume)['status'], volumeOf(volume)['volume_type']], ['available', 'private']);

      assert.equal((await action({ removeProjectAccess: { project: projectId } })).status, 202);
      assert.deepEqual((await action({ removeProjectAccess: { project: projectId } })).json, {
        itemNotFound: { code: 404, message: `Volume type access not found for ${typeId} / ${projectId} combination.` },
      });
      assert.deepEqual(await access(), { volume_type_access: [] });
      assert.equal((await make()).status, 404, 'closed again');
    }));

  test('types, quotas, limits and services', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const created = await cloud.call('POST', '/types', { body: { volume_type: { name: 'fast', extra_specs: { volume_backend_name: 'file' } } }, as: ADMIN });
      assert.equal(created.status, 200);
      assert.equal((await cloud.call('POST', '/types', { body: { volume_type: { name: 'x' } }, as: ALICE })).status, 403);
      assert.equal((await cloud.call('POST', '/types', { body: { volume_type: { name: 'fast' } }, as: ADMIN })).status, 409);
      const names = ((await cloud.call('GET', '/types', { as: ALICE })).json['volume_types'] as Json[]).map((type) => type['name']);
      assert.deepEqual(names, ['__DEFAULT__', 'fast']);
      const typed = await createVolume(cloud, { size: 1, volume_type: 'fast' });
      assert.equal(typed['status'], 'available');
      const elsewhere = await cloud.call('POST', '/types', { body: { volume_type: { name: 'lvm', extra_specs: { volume_backend_name: 'lvm' } } }, as: ADMIN });
      assert.equal((await createVolume(cloud, { size: 1, volume_type: String((elsewhere.json['volume_type'] as Json)['id']) }))['status'], 'error', 'no backend named lvm');
      const typeId = String((created.json['volume_type'] as Json)['id']);
      assert.equal((await cloud.call('GET', `/types/${typeId}/os-volume-type-access`, { as: ADMIN })).status, 404, 'public types have no access list');
      const secret = await cloud.call('POST', '/types', { body: { volume_type: { name: 'secret', 'os-volume-type-access:is_public': false } }, as: ADMIN });
      const secretId = String((secret.json['volume_type'] as Json)['id']);
      assert.deepEqual((await cloud.call('GET', `/types/${secretId}/os-volume-type-access`, { as: ADMIN })).json, { volume_type_access: [] });
      assert.equal((await cloud.call('GET', `/types/${secretId}`, { as: ALICE })).status, 404, 'private types are for admins');
      const secretVolume = await cloud.call('POST', '/volumes', { body: { volume: { size: 1, volume_type: secretId } }, as: ALICE });
      assert.deepEqual(secretVolume.json, { itemNotFound: { code: 404, message: `Volume type ${secretId} could not be found.` } }, 'nor can members make volumes of them');
      assert.equal((await cloud.call('DELETE', `/types/${typeId}`, { as: ADMIN })).status, 400, 'in use');

      const quota = (await cloud.call('GET', '/os-quota-sets/alice-project?usage=True', { as: ALICE })).json['quota_set'] as Json;
      assert.deepEqual(quota['volumes'], { limit: 10, in_use: 2, reserved: 0 });
      assert.deepEqual(quota['gigabytes'], { limit: 1000, in_use: 2, reserved: 0 });
      assert.equal((await cloud.call('GET', '/os-quota-sets/bob-project', { as: ALICE })).status, 403);
      assert.equal((await cloud.call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: { volumes: 1 } }, as: ADMIN })).status, 400, 'below in use');
      assert.equal((await cloud.call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: { tenant_id: 'alice-project', volumes: 3 } }, as: ADMIN })).status, 200, "cinderclient's tenant_id is ignored");
      assert.equal((await cloud.call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: { cores: 3 } }, as: ADMIN })).status, 400, 'not a volume quota');
      const limits = ((await cloud.call('GET', '/limits', { as: ALICE })).json['limits'] as { absolute: Json }).absolute;
      assert.deepEqual([limits['maxTotalVolumes'], limits['totalVolumesUsed'], limits['totalGigabytesUsed']], [3, 2, 2]);
      const reset = await cloud.call('DELETE', '/os-quota-sets/alice-project', { as: ADMIN });
      assert.deepEqual([reset.status, reset.text], [200, ''], "Cinder's reset has no body");
      assert.equal(((await cloud.call('GET', '/limits', { as: ALICE })).json['limits'] as { absolute: Json }).absolute['maxTotalVolumes'], 10);

      const services = (await cloud.call('GET', '/os-services', { as: ADMIN })).json['services'] as Json[];
      assert.deepEqual(services.map((service) => [service['binary'], service['host'], service['state']]), [
        ['cinder-scheduler', 'test-host', 'up'],
        ['cinder-volume', 'test-host@file', 'up'],
        ['cinder-backup', 'test-host', 'up'],
      ]);
      const onHost = (await cloud.call('GET', '/os-services?host=test-host', { as: ADMIN })).json['services'] as Json[];
      assert.deepEqual(onHost.map((service) => service['binary']), ['cinder-scheduler', 'cinder-volume', 'cinder-backup'], 'a host names its backends too');
      const volumeService = (await cloud.call('GET', '/os-services?host=test-host&binary=cinder-volume', { as: ADMIN })).json['services'] as Json[];
      assert.deepEqual(volumeService.map((service) => service['host']), ['test-host@file']);
      assert.deepEqual((await cloud.call('GET', '/os-services?host=test-host@file', { as: ADMIN })).json['services'], [volumeService[0]]);
      assert.deepEqual((await cloud.call('GET', '/os-services?host=test', { as: ADMIN })).json['services'], []);
      assert.equal((await cloud.call('GET', '/os-services', { as: ALICE })).status, 403);
    }));

  test('one extra spec and one snapshot metadata item: PUT of that key (400 when the body names another or more), GET of it', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const created = await cloud.call('POST', '/types', { body: { volume_type: { name: 'fast', extra_specs: { spec1: 'a' } } }, as: ADMIN });
      const spec = `/types/${String((created.json['volume_type'] as Json)['id'])}/extra_specs`;
      assert.deepEqual((await cloud.call('PUT', `${spec}/spec1`, { body: { spec1: 'b' }, as: ADMIN })).json, { spec1: 'b' });
      assert.deepEqual((await cloud.call('GET', `${spec}/spec1`, { as: ADMIN })).json, { spec1: 'b' });
      assert.equal((await cloud.call('PUT', `${spec}/spec1`, { body: { spec2: 'c' }, as: ADMIN })).status, 400, 'URI mismatch');
      assert.equal((await cloud.call('PUT', `${spec}/spec1`, { body: { spec1: 'c', spec2: 'c' }, as: ADMIN })).status, 400, 'too many items');
      assert.equal((await cloud.call('PUT', `${spec}/spec1`, { body: null, as: ADMIN })).status, 400, 'no body');
      assert.equal((await cloud.call('PUT', `${spec}/spec1`, { body: { spec1: 'c' }, as: ALICE })).status, 403);
      assert.equal((await cloud.call('PUT', '/types/00000000-0000-0000-0000-000000000000/extra_specs/spec1', { body: { spec1: 'c' }, as: ADMIN })).status, 404);
      assert.deepEqual((await cloud.call('GET', spec, { as: ADMIN })).json, { extra_specs: { spec1: 'b' } });

      const volume = await createVolume(cloud, { size: 1 });
      const made = await cloud.call('POST', '/snapshots', { body: { snapshot: { volume_id: volume['id'], metadata: { key1: 'v1' } } }, as: ALICE });
      const meta = `/snapshots/${String((made.json['snapshot'] as Json)['id'])}/metadata`;
      assert.deepEqual((await cloud.call('PUT', `${meta}/key1`, { body: { meta: { key1: 'v2' } }, as: ALICE })).json, { meta: { key1: 'v2' } });
      assert.deepEqual((await cloud.call('GET', `${meta}/key1`, { as: ALICE })).json, { meta: { key1: 'v2' } });
      assert.equal((await cloud.call('GET', `${meta}/nope`, { as: ALICE })).status, 404);
      assert.equal((await cloud.call('PUT', `${meta}/key1`, { body: { meta: { key2: 'v' } }, as: ALICE })).status, 400);
      assert.equal((await cloud.call('GET', `${meta}/key1`, { as: BOB })).status, 404);
    }));

  test('list: filters, sort, limit and marker with a next link', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      for (const name of ['a', 'b', 'c']) await createVolume(cloud, { size: 1, name });
      const page1 = await cloud.call('GET', '/volumes/detail?sort=name:asc&limit=2', { as: ALICE });
      const volumes = page1.json['volumes'] as Json[];
      assert.deepEqual(volumes.map((volume) => volume['name']), ['a', 'b']);
      const next = (page1.json['volumes_links'] as { href: string }[])[0]?.href ?? '';
      assert.match(next, /marker=/);
      const marker = String(volumes[1]?.['id']);
      const page2 = await cloud.call('GET', `/volumes/detail?sort=name:asc&limit=2&marker=${marker}`, { as: ALICE });
      assert.deepEqual((page2.json['volumes'] as Json[]).map((volume) => volume['name']), ['c']);
      assert.equal('volumes_links' in page2.json, false);
      assert.deepEqual(((await cloud.call('GET', '/volumes?name=b', { as: ALICE })).json['volumes'] as Json[]).map((volume) => volume['name']), ['b']);
      assert.equal((await cloud.call('GET', '/volumes?sort=colour:asc', { as: ALICE })).status, 400);
      assert.equal((await cloud.call('GET', '/volumes?limit=x', { as: ALICE })).status, 400);
      assert.equal((await cloud.call('GET', '/volumes?marker=nope', { as: ALICE })).status, 404);
      assert.equal(((await cloud.call('GET', '/volumes?all_tenants=1', { as: BOB })).json['volumes'] as Json[]).length, 0, 'all_tenants is for admins');
      assert.equal(((await cloud.call('GET', '/volumes?all_tenants=1', { as: ADMIN })).json['volumes'] as Json[]).length, 3);
      const full = await cloud.call('GET', '/volumes?sort=name:asc&limit=3', { as: ALICE });
      const last = (full.json['volumes'] as Json[])[2];
      await cloud.call('POST', `/volumes/${String(last?.['id'])}/metadata`, { body: { metadata: { tier: 'gold' } }, as: ALICE });
      assert.equal((await cloud.call('GET', '/volumes/summary', { as: ALICE, version: '3.11' })).status, 404, 'from 3.12');
      assert.deepEqual((await cloud.call('GET', '/volumes/summary', { as: ALICE, version: '3.12' })).json, { 'volume-summary': { total_count: 3, total_size: 3 } });
      const withMetadata = (await cloud.call('GET', '/volumes/summary', { as: ALICE, version: '3.36' })).json['volume-summary'] as Json;
      assert.deepEqual(withMetadata['metadata'], { tier: ['gold'] });
      assert.deepEqual((await cloud.call('GET', '/volumes/summary', { as: BOB, version: '3.12' })).json, { 'volume-summary': { total_count: 0, total_size: 0 } });
      assert.match((full.json['volumes_links'] as { href: string }[])[0]?.href ?? '', new RegExp(`marker=${String(last?.['id'])}`), "a full page links to the next, even an empty one (Cinder's rule)");
      const offset = await cloud.call('GET', '/volumes?sort=name:asc&offset=1&limit=1', { as: ALICE });
      assert.deepEqual((offset.json['volumes'] as Json[]).map((volume) => volume['name']), ['b']);
      assert.equal((await cloud.call('GET', '/volumes?offset=-1', { as: ALICE })).status, 400);
    }));

  test('snapshot actions: os-update_snapshot_status from creating (with progress) or deleting only; os-force_delete from any status, admin only', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const volume = await createVolume(cloud, { size: 1 });
      const snapshotIn = async () => {
        const made = await cloud.call('POST', '/snapshots', { body: { snapshot: { volume_id: volume['id'] } }, as: ALICE });
        return `/snapshots/${String(((await cloud.settle(`/snapshots/${String((made.json['snapshot'] as Json)['id'])}`, ALICE)).json['snapshot'] as Json)['id'])}`;
      };
      const act = (path: string, body: Json, as: RequestContext) => cloud.call('POST', `${path}/action`, { body, as });
      const path = await snapshotIn();
      const update = { 'os-update_snapshot_status': { status: 'error', progress: '80%' } };
      assert.equal((await act(path, update, ALICE)).status, 400, 'not from available');
      assert.equal((await act(path, { 'os-reset_status': { status: 'creating' } }, ADMIN)).status, 202);
      assert.equal((await act(path, { 'os-update_snapshot_status': { status: 'error_deleting' } }, ALICE)).status, 400, 'creating goes to available or error');
      assert.equal((await act(path, update, ALICE)).status, 202);
      const shown = (await cloud.call('GET', path, { as: ADMIN })).json['snapshot'] as Json;
      assert.deepEqual([shown['status'], shown['os-extended-snapshot-attributes:progress']], ['error', '80%']);
      assert.equal((await act(path, { 'os-reset_status': { status: 'available' }, 'os-force_delete': {} }, ADMIN)).status, 400, 'one action at a time');

      for (const status of ['creating', 'deleting']) {
        const doomed = status === 'creating' ? path : await snapshotIn();
        await act(doomed, { 'os-reset_status': { status } }, ADMIN);
        assert.equal((await act(doomed, { 'os-force_delete': {} }, ALICE)).status, 403);
        assert.equal((await act(doomed, { 'os-force_delete': {} }, ADMIN)).status, 202);
        assert.equal((await cloud.settle(doomed, ALICE)).status, 404);
      }
      assert.equal((await cloud.call('DELETE', `/volumes/${String(volume['id'])}`, { as: ALICE })).status, 202, 'no snapshot is left');
    }));

  test('snapshot list: sort_key/sort_dir or sort (display_name is name; an unknown key 400), offset; a snapshot of volume null is 404', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const volume = await createVolume(cloud, { size: 1 });
      for (const name of ['b', 'c', 'a']) {
        const made = await cloud.call('POST', '/snapshots', { body: { snapshot: { volume_id: volume['id'], name } }, as: ALICE });
        await cloud.settle(`/snapshots/${String((made.json['snapshot'] as Json)['id'])}`, ALICE);
      }
      const names = async (query: string) => ((await cloud.call('GET', `/snapshots${query}`, { as: ALICE })).json['snapshots'] as Json[]).map((snapshot) => snapshot['name']);
      assert.deepEqual(await names('?sort_key=display_name&sort_dir=asc'), ['a', 'b', 'c']);
      assert.deepEqual(await names('?sort=name:desc'), ['c', 'b', 'a']);
      assert.deepEqual(await names('/detail?sort_key=created_at&sort_dir=asc'), ['b', 'c', 'a']);
      assert.deepEqual(await names('?sort_key=name&sort_dir=asc&offset=2&limit=3'), ['c']);
      assert.equal((await cloud.call('GET', '/snapshots?sort_key=invalid', { as: ALICE })).status, 400);
      const noVolume = await cloud.call('POST', '/snapshots', { body: { snapshot: { volume_id: null, name: 'x' } }, as: ALICE });
      assert.equal(noVolume.status, 404);
    }));

  test('created_at/updated_at comparison filters (3.60, and from 3.33 as Cinder): any unit holds; a bad operator or time is 400; below 3.33 ignored', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const first = await createVolume(cloud, { size: 1, name: 'first' });
      await createVolume(cloud, { size: 1, name: 'second' });
      const names = async (query: string, version = '3.60') => {
        const reply = await cloud.call('GET', `/volumes/detail?${query}`, { as: ALICE, version });
        assert.equal(reply.status, 200, JSON.stringify(reply.json));
        return (reply.json['volumes'] as Json[]).map((volume) => volume['name']).sort();
      };
      const createdFirst = encodeURIComponent(String(first['created_at']));
      assert.deepEqual(await names(`created_at=gt:${createdFirst}`), ['second']);
      assert.deepEqual(await names(`created_at=lte:${createdFirst}`), ['first']);
      assert.deepEqual(await names(`created_at=eq:${createdFirst}`), ['first']);
      assert.deepEqual(await names(`created_at=neq:${createdFirst}`), ['second']);
      assert.deepEqual(await names(`created_at=lt:2000-01-01,gte:${createdFirst}`), ['first', 'second'], 'units are ORed');
      assert.deepEqual(await names('updated_at=gt:2000-01-01T00:00:00Z&created_at=lt:3000-01-01'), ['first', 'second']);
      assert.deepEqual(await names('created_at=gt:3000-01-01', '3.33'), [], 'applied from 3.33');
      assert.deepEqual(await names('created_at=gt:3000-01-01', '3.32'), ['first', 'second'], 'ignored below 3.33');
      assert.deepEqual(await names('created_at=after:soon', '3.0'), ['first', 'second']);
      const summary = (await cloud.call('GET', '/volumes?created_at=gt:3000-01-01', { as: ALICE, version: '3.60' })).json['volumes'] as Json[];
      assert.equal(summary.length, 0, 'the summary list filters too');

      const refused = async (query: string) => (await cloud.call('GET', `/volumes?${query}`, { as: ALICE, version: '3.60' })).json;
      assert.deepEqual(await refused('created_at=after:2026-01-01'), { badRequest: { code: 400, message: 'Invalid after operator' } });
      assert.deepEqual(await refused('updated_at=gt:yesterday'), { badRequest: { code: 400, message: 'Invalid yesterday value' } });
      assert.deepEqual(await refused('created_at=gt:2026-02-30T00:00:00'), { badRequest: { code: 400, message: 'Invalid 2026-02-30T00:00:00 value' } });
    }));

  test('URLs without the project id (3.67) act for the token\'s project at every version; the project-id form keeps working', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const bare = async (method: string, path: string, as: RequestContext, options: { body?: Json; version?: string } = {}) => {
        const reply = await cloud.app.inject({
          method: method as 'GET',
          url: `/volume/v3${path}`,
          headers: {
            'x-test-context': JSON.stringify(as),
            ...(options.version === undefined ? {} : { 'openstack-api-version': `volume ${options.version}` }),
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(options.body === undefined ? {} : { payload: JSON.stringify(options.body) }),
        });
        return { status: reply.statusCode, json: reply.body === '' ? {} : (JSON.parse(reply.body) as Json) };
      };
      const created = await bare('POST', '/volumes', ALICE, { body: { volume: { size: 1, name: 'bare' } }, version: '3.67' });
      assert.equal(created.status, 202, JSON.stringify(created.json));
      const id = String(volumeOf(created)['id']);
      const shown = volumeOf(await cloud.settle(`/volumes/${id}`, ALICE));
      assert.deepEqual([shown['name'], shown['os-vol-tenant-attr:tenant_id'], shown['status']], ['bare', 'alice-project', 'available']);
      assert.deepEqual((await bare('GET', '/volumes', ALICE)).json, (await cloud.call('GET', '/volumes', { as: ALICE })).json, 'also at 3.0, as Cinder routes it');
      assert.equal(volumeOf(await bare('GET', `/volumes/${id}`, ALICE, { version: '3.70' }))['name'], 'bare');
      assert.equal((await bare('GET', `/volumes/${id}`, BOB)).status, 404, "another project's volume is not found");
      assert.equal((await bare('HEAD', '/volumes/detail', ALICE)).status, 200);
      assert.deepEqual((await bare('GET', '/volumes/detail', BOB)).json, { volumes: [] });
      const unscoped: RequestContext = { requestId: 'req-unscoped', userId: ALICE.userId, roles: ['member', 'reader'], isAdmin: false };
      assert.equal((await bare('GET', '/volumes/detail', unscoped)).status, 400, 'a token without a project names none');
      assert.deepEqual((await bare('GET', '/volumes/detail', { ...unscoped, roles: ['admin'], isAdmin: true })).json, { volumes: [] });
      assert.equal((await bare('PUT', `/volumes/${id}`, ALICE, { body: { volume: { name: 'renamed' } } })).status, 200);
      assert.equal((await bare('POST', `/volumes/${id}/action`, ALICE, { body: { 'os-extend': { new_size: 2 } } })).status, 202);
      assert.equal((await bare('GET', '/os-quota-sets/alice-project', ALICE)).status, 200);
      assert.equal((await bare('GET', '/os-services', ALICE)).status, 403, 'policies as with the project id');
      assert.equal((await bare('GET', '/types', ALICE)).status, 200);
      await cloud.settle(`/volumes/${id}`, ALICE);
      assert.equal((await bare('DELETE', `/volumes/${id}`, ALICE)).status, 202);
      assert.equal((await cloud.settle(`/volumes/${id}`, ALICE)).status, 404);
    }));
});
