import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ADMIN, QCOW2_MAGIC } from '../../images/testing/image-fixture.js';
import { ImageBackends } from '../../stores/backends.js';
import { FilesystemImageStore } from '../../stores/filesystem/filesystem-store.js';
import { withImageApp, type Call, type ImageApp } from './image-test-app.js';

const DATA = Buffer.concat([QCOW2_MAGIC, Buffer.from('an image in several stores')]);
const COPY = { method: { name: 'copy-image' } };

interface StoresApp extends ImageApp {
  /** The committed image files in a store's directory. */
  readonly filesIn: (store: string) => Promise<string[]>;
}

/** An image API with Glance's `enabled_backends = fast:file, slow:file` (fast the default) plus, when asked, a store whose writes all fail. */
function withStores(fn: (app: StoresApp) => Promise<void>, { broken = false } = {}): Promise<void> {
  let root = '';
  return withImageApp((app) => fn({ ...app, filesIn: async (store) => (await readdir(join(root, store), { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name) }), {
    fixture: {
      backends: (directory) => {
        root = directory;
        const file = (id: string, description = '') => {
          const dataDir = join(directory, id);
          return { id, type: 'file', description, store: new FilesystemImageStore(dataDir), properties: { data_dir: dataDir, chunk_size: 65536, thin_provisioning: false } };
        };
        // Under a regular file: every write fails with ENOTDIR, as a broken mount would.
        const unwritable = { ...file('broken'), store: new FilesystemImageStore('/dev/null/images') };
        return ImageBackends.several([file('fast', 'Fast disks'), file('slow'), ...(broken ? [unwritable] : [])], 'fast');
      },
    },
  });
}

async function activeImage(call: Call, store?: string): Promise<string> {
  const created = await call('POST', '/v2/images', { body: { name: 'multi', disk_format: 'qcow2', container_format: 'bare' } });
  assert.equal(created.status, 201);
  const id = String(created.json['id']);
  const uploaded = await call('PUT', `/v2/images/${id}/file`, { body: DATA, headers: store === undefined ? {} : { 'x-image-meta-store': store } });
  assert.equal(uploaded.status, 204);
  return id;
}

async function show(call: Call, id: string): Promise<Record<string, unknown>> {
  return (await call('GET', `/v2/images/${id}`)).json;
}

describe('image stores (enabled_backends = fast:file, slow:file)', () => {
  test('discovery lists the stores, the default marked; details are the administrator\'s; create names the stores', () =>
    withStores(async ({ call }) => {
      const stores = await call('GET', '/v2/info/stores');
      assert.deepEqual(stores.json, { stores: [{ id: 'fast', description: 'Fast disks', default: 'true' }, { id: 'slow' }] });
      assert.equal((await call('GET', '/v2/info/stores/detail')).status, 403);
      const detail = await call('GET', '/v2/info/stores/detail', { as: ADMIN });
      const slow = (detail.json['stores'] as Record<string, unknown>[])[1];
      assert.deepEqual([slow?.['id'], slow?.['type'], Object.keys(slow?.['properties'] ?? {})], ['slow', 'file', ['data_dir', 'chunk_size', 'thin_provisioning']]);
      const methods = await call('GET', '/v2/info/import');
      assert.deepEqual((methods.json['import-methods'] as { value: unknown }).value, ['glance-direct', 'copy-image']);
      const created = await call('POST', '/v2/images', { body: { name: 'x' } });
      assert.equal(created.headers['openstack-image-store-ids'], 'fast,slow');
      assert.equal(created.headers['openstack-image-import-methods'], 'glance-direct,copy-image');
    }));

  test('an upload goes to the default store or the one X-Image-Meta-Store names; an unknown store is a 400 and the image stays queued', () =>
    withStores(async ({ call, filesIn }) => {
      const inFast = await activeImage(call);
      const inSlow = await activeImage(call, 'slow');
      assert.equal((await show(call, inFast))['stores'], 'fast');
      assert.equal((await show(call, inSlow))['stores'], 'slow');
      assert.deepEqual([await filesIn('fast'), await filesIn('slow')], [[inFast], [inSlow]]);
      assert.deepEqual((await call('GET', `/v2/images/${inSlow}/file`)).raw, DATA);

      const created = await call('POST', '/v2/images', { body: { disk_format: 'qcow2', container_format: 'bare' } });
      const id = String(created.json['id']);
      const refused = await call('PUT', `/v2/images/${id}/file`, { body: DATA, headers: { 'x-image-meta-store': 'nowhere' } });
      assert.equal(refused.status, 400);
      assert.match(JSON.stringify(refused.json), /Store for identifier nowhere not found/);
      const queued = await show(call, id);
      assert.deepEqual([queued['status'], queued['stores']], ['queued', undefined]);
    }));

  test('copy-image: the administrator copies an active image into another store; the image stays active, progress properties end empty', () =>
    withStores(async ({ call, images, filesIn }) => {
      const id = await activeImage(call);
      const asOwner = await call('POST', `/v2/images/${id}/import`, { body: { ...COPY, stores: ['slow'] } });
      assert.equal(asOwner.status, 403, 'copy_image is the administrator\'s by default');

      const accepted = await call('POST', `/v2/images/${id}/import`, { as: ADMIN, body: { ...COPY, stores: ['slow'] } });
      assert.equal(accepted.status, 202);
      await images.whenImportsIdle();
      const copied = await show(call, id);
      assert.deepEqual(
        [copied['status'], copied['stores'], copied['os_glance_importing_to_stores'], copied['os_glance_failed_import'], copied['os_glance_import_task']],
        ['active', 'fast,slow', '', '', undefined],
      );
      assert.deepEqual([await filesIn('fast'), await filesIn('slow')], [[id], [id]]);

      const again = await call('POST', `/v2/images/${id}/import`, { as: ADMIN, body: { ...COPY, stores: ['slow'] } });
      assert.equal(again.status, 400);
      assert.match(JSON.stringify(again.json), /Image is already present at store 'slow'/);
      assert.equal((await call('POST', `/v2/images/${id}/import`, { as: ADMIN, body: { ...COPY, all_stores: true } })).status, 202, 'every store has it: nothing to do');
      const unknown = await call('POST', `/v2/images/${id}/import`, { as: ADMIN, body: { ...COPY, stores: ['nowhere'] } });
      assert.equal(unknown.status, 409);
      assert.match(JSON.stringify(unknown.json), /Store for identifier nowhere not found/);

      const queued = String((await call('POST', '/v2/images', { body: { disk_format: 'qcow2', container_format: 'bare' } })).json['id']);
      const notActive = await call('POST', `/v2/images/${queued}/import`, { as: ADMIN, body: { ...COPY, stores: ['slow'] } });
      assert.equal(notActive.status, 409);
      assert.match(JSON.stringify(notActive.json), /Only images with status active can be targeted for copying/);
    }));

  test('copy-image to a store that fails: with all_stores_must_succeed false the others keep their copy and the store is listed as failed; with true nothing of the task stays', () =>
    withStores(
      async ({ call, images, filesIn }) => {
        const lenient = await activeImage(call);
        assert.equal((await call('POST', `/v2/images/${lenient}/import`, { as: ADMIN, body: { ...COPY, all_stores: true, all_stores_must_succeed: false } })).status, 202);
        await images.whenImportsIdle();
        const partly = await show(call, lenient);
        assert.deepEqual([partly['status'], partly['stores'], partly['os_glance_importing_to_stores'], partly['os_glance_failed_import']], ['active', 'fast,slow', '', 'broken']);

        const strict = await activeImage(call);
        assert.equal((await call('POST', `/v2/images/${strict}/import`, { as: ADMIN, body: { ...COPY, stores: ['slow', 'broken'] } })).status, 202);
        await images.whenImportsIdle();
        const reverted = await show(call, strict);
        assert.deepEqual([reverted['status'], reverted['stores'], reverted['os_glance_importing_to_stores'], reverted['os_glance_failed_import']], ['active', 'fast', '', 'broken']);
        assert.deepEqual((await filesIn('slow')).sort(), [lenient], 'the strict copy into slow was removed again');
        assert.deepEqual((await call('GET', `/v2/images/${strict}/file`)).raw, DATA);
      },
      { broken: true },
    ));

  test('glance-direct imports into the stores the request names', () =>
    withStores(async ({ call, images, filesIn }) => {
      const id = String((await call('POST', '/v2/images', { body: { disk_format: 'qcow2', container_format: 'bare' } })).json['id']);
      assert.equal((await call('PUT', `/v2/images/${id}/stage`, { body: DATA })).status, 204);
      const both = await call('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' }, stores: ['slow'] }, headers: { 'x-image-meta-store': 'fast' } });
      assert.equal(both.status, 400, 'stores and the header together');
      assert.equal((await call('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' }, all_stores: true } })).status, 202);
      await images.whenImportsIdle();
      const imported = await show(call, id);
      assert.deepEqual([imported['status'], imported['stores']], ['active', 'fast,slow']);
      assert.deepEqual([await filesIn('fast'), await filesIn('slow')], [[id], [id]]);
    }));

  test('DELETE /v2/stores/{store}/{image}: the administrator removes one copy; never the last one', () =>
    withStores(async ({ call, images, filesIn }) => {
      const id = await activeImage(call);
      await call('POST', `/v2/images/${id}/import`, { as: ADMIN, body: { ...COPY, stores: ['slow'] } });
      await images.whenImportsIdle();
      assert.equal((await call('DELETE', `/v2/stores/slow/${id}`)).status, 403, 'delete_image_location is the administrator\'s');
      assert.equal((await call('DELETE', `/v2/stores/nowhere/${id}`, { as: ADMIN })).status, 409);
      assert.equal((await call('DELETE', `/v2/stores/slow/${id}`, { as: ADMIN })).status, 204);
      assert.equal((await show(call, id))['stores'], 'fast');
      assert.deepEqual(await filesIn('slow'), []);
      const last = await call('DELETE', `/v2/stores/fast/${id}`, { as: ADMIN });
      assert.equal(last.status, 403);
      assert.match(JSON.stringify(last.json), /Cannot delete image data from the only store containing it/);
      assert.deepEqual((await call('GET', `/v2/images/${id}/file`)).raw, DATA);
    }));
});
