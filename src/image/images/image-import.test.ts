import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { join } from 'node:path';
import type { ImageTables } from '../db/tables.js';
import { ImageBackends } from '../stores/backends.js';
import { FilesystemImageStore } from '../stores/filesystem/filesystem-store.js';
import { IMPORT_LOCK_EXPIRY_MS } from './image-import.js';
import { ADMIN, memberOf, QCOW2_MAGIC, withImages } from './testing/image-fixture.js';

const OWNER = memberOf('owner-project');
const QCOW2 = Buffer.concat([QCOW2_MAGIC, Buffer.alloc(60, 7)]);
const GLANCE_DIRECT = { method: 'glance-direct', allStores: false, allStoresMustSucceed: true } as const;
const ANYONE = (): void => undefined;

for (const dialect of DIALECTS) {
  describe(`image import on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('stage then import: the staged copy moves into the store, with the virtual size; delete removes it', () =>
      withImages(dialect, async ({ images, storedFiles }) => {
        const image = await images.create(OWNER, { name: 'imported', disk_format: 'qcow2', container_format: 'bare' });
        const staged = await images.stageImageData(OWNER, image.id, Readable.from([QCOW2]));
        assert.deepEqual([staged.status, staged.size, staged.virtual_size], ['uploading', QCOW2.length, null]);
        assert.deepEqual(await storedFiles(), [image.id], 'the staged copy only');
        assert.deepEqual((await images.usage(OWNER))['image_count_uploading'], { usage: 1, limit: -1 });

        await images.importImage(OWNER, image.id, GLANCE_DIRECT, ANYONE);
        await images.whenImportsIdle();
        const active = await images.get(OWNER, image.id);
        assert.deepEqual([active.status, active.size, active.virtual_size], ['active', QCOW2.length, 1 << 20]);
        assert.deepEqual(await storedFiles(), [image.id], 'the store copy only: the staged one is removed');
        assert.deepEqual(await buffer(await images.openImageData(OWNER, image.id)), QCOW2);
        await images.delete(OWNER, image.id);
        assert.deepEqual(await storedFiles(), []);
      }));

    test('deleting a staged image removes its staged data', () =>
      withImages(dialect, async ({ images, storedFiles }) => {
        const image = await images.create(OWNER, { disk_format: 'qcow2', container_format: 'bare' });
        await images.stageImageData(OWNER, image.id, Readable.from([QCOW2]));
        await images.delete(OWNER, image.id);
        assert.deepEqual(await storedFiles(), []);
      }));

    test('an import the store cannot take puts the image back to queued, its staged data and lock gone, stageable again', () =>
      withImages(
        dialect,
        async ({ images, storedFiles }) => {
          const image = await images.create(OWNER, { disk_format: 'qcow2', container_format: 'bare' });
          await images.stageImageData(OWNER, image.id, Readable.from([QCOW2]));
          await images.importImage(OWNER, image.id, GLANCE_DIRECT, ANYONE);
          await images.whenImportsIdle();
          const failed = await images.get(OWNER, image.id);
          assert.equal(failed.status, 'queued');
          assert.equal(failed.properties['os_glance_import_task'], undefined);
          assert.deepEqual(await storedFiles(), []);
          assert.equal((await images.stageImageData(OWNER, image.id, Readable.from([QCOW2]))).status, 'uploading');
        },
        // A store under a regular file: every write fails with ENOTDIR, as a broken mount would.
        { store: () => new FilesystemImageStore('/dev/null/images') },
      ));

    test('copy-image: a lock left by an import that died is valid for an hour of no progress, then taken over', () =>
      withImages(
        dialect,
        async ({ images, db, advance }) => {
          const image = await images.create(OWNER, { disk_format: 'qcow2', container_format: 'bare' });
          await images.uploadImageData(OWNER, image.id, Readable.from([QCOW2]));
          // What a process killed mid-copy leaves: the lock and the stores it was copying to.
          await db.kysely
            .withTables<ImageTables>()
            .insertInto('image_properties')
            .values([
              { image_id: image.id, name: 'os_glance_import_task', value: 'dead-task' },
              { image_id: image.id, name: 'os_glance_importing_to_stores', value: 'slow' },
            ])
            .execute();
          const copy = { method: 'copy-image', stores: ['slow'], allStores: false, allStoresMustSucceed: true } as const;
          advance(IMPORT_LOCK_EXPIRY_MS - 1000);
          await assert.rejects(images.importImage(ADMIN, image.id, copy, ANYONE), { status: 409, message: 'Image has active task' });
          advance(2000);
          await images.importImage(ADMIN, image.id, copy, ANYONE);
          await images.whenImportsIdle();
          const copied = await images.get(ADMIN, image.id);
          assert.deepEqual(copied.stores, ['fast', 'slow']);
          assert.deepEqual([copied.properties['os_glance_import_task'], copied.properties['os_glance_importing_to_stores']], [undefined, '']);
        },
        {
          backends: (directory) =>
            ImageBackends.several(
              ['fast', 'slow'].map((id) => ({ id, type: 'file', description: '', store: new FilesystemImageStore(join(directory, id)), properties: {} })),
              'fast',
            ),
        },
      ));
  });
}
