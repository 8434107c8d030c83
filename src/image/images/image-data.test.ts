import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { ADMIN, memberOf, QCOW2_MAGIC, withImages, type ImageFixture } from './testing/image-fixture.js';

const OWNER = memberOf('owner-project');
const QCOW2 = Buffer.concat([QCOW2_MAGIC, Buffer.alloc(60, 7)]);

const queuedQcow2 = (images: ImageFixture['images'], name = 'disk') =>
  images.create(OWNER, { name, disk_format: 'qcow2', container_format: 'bare' });

/** A stream that sends `bytes`, then fails as a dropped client connection does. */
function droppedAfter(bytes: Buffer): Readable {
  return new Readable({
    read() {
      this.push(bytes);
      setImmediate(() => this.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    },
  });
}

for (const dialect of DIALECTS) {
  describe(`image data on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('upload: queued → active with size, hashes and virtual size; the data reads back; a second upload is 409', () =>
      withImages(dialect, async ({ images, storedFiles }) => {
        const image = await queuedQcow2(images);
        const active = await images.uploadImageData(OWNER, image.id, Readable.from([QCOW2]));
        assert.equal(active.status, 'active');
        assert.equal(active.size, QCOW2.length);
        assert.equal(active.virtual_size, 1 << 20);
        assert.equal(active.checksum, createHash('md5').update(QCOW2).digest('hex'));
        assert.equal(active.os_hash_algo, 'sha512');
        assert.equal(active.os_hash_value, createHash('sha512').update(QCOW2).digest('hex'));
        assert.deepEqual(await buffer(await images.openImageData(OWNER, image.id)), QCOW2);
        assert.deepEqual(await buffer(await images.openData(active, { start: 1, end: 3 })), QCOW2.subarray(1, 4));
        await assert.rejects(images.uploadImageData(OWNER, image.id, Readable.from([QCOW2])), {
          status: 409,
          message: 'Image status transition from active to saving is not allowed',
        });
        assert.deepEqual(await storedFiles(), [image.id]);
        await images.delete(OWNER, image.id);
        assert.deepEqual(await storedFiles(), [], 'deleting an image deletes its data');
      }));

    test('two concurrent uploads: one wins, the other is 409', () =>
      withImages(dialect, async ({ images }) => {
        const image = await queuedQcow2(images);
        const slow = new PassThrough();
        const first = images.uploadImageData(OWNER, image.id, slow);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await assert.rejects(images.uploadImageData(OWNER, image.id, Readable.from([QCOW2])), {
          status: 409,
          message: 'Image status transition from saving to saving is not allowed',
        });
        slow.end(QCOW2);
        assert.equal((await first).status, 'active');
      }));

    test('a dropped connection leaves the image queued and no file behind', () =>
      withImages(dialect, async ({ images, storedFiles }) => {
        const image = await queuedQcow2(images);
        await assert.rejects(images.uploadImageData(OWNER, image.id, droppedAfter(QCOW2)));
        assert.equal((await images.get(OWNER, image.id)).status, 'queued');
        assert.deepEqual(await storedFiles(), []);
        assert.equal((await images.uploadImageData(OWNER, image.id, Readable.from([QCOW2]))).status, 'active', 'it can be retried');
      }));

    test('refused data (unsafe, wrong format, no format) is removed and the image stays queued', () =>
      withImages(dialect, async ({ images, storedFiles }) => {
        const backed = await queuedQcow2(images);
        await assert.rejects(images.uploadImageData(OWNER, backed.id, Readable.from([QCOW2, Buffer.from('BACKING')])), {
          status: 400,
          message: /qcow2 image names a backing file/,
        });
        const raw = await images.create(OWNER, { disk_format: 'raw', container_format: 'bare' });
        await assert.rejects(images.uploadImageData(OWNER, raw.id, Readable.from([QCOW2])), { status: 400, message: /in qcow2 format, not the declared disk_format raw/ });
        const bare = await images.create(OWNER, {});
        await assert.rejects(images.uploadImageData(OWNER, bare.id, Readable.from([QCOW2])), { status: 400 });
        for (const id of [backed.id, raw.id, bare.id]) assert.equal((await images.get(OWNER, id)).status, 'queued');
        assert.deepEqual(await storedFiles(), []);
      }));

    test('deactivated images: data for administrators only; reactivate restores it', () =>
      withImages(dialect, async ({ images }) => {
        const image = await queuedQcow2(images);
        await images.uploadImageData(OWNER, image.id, Readable.from([QCOW2]));
        await images.deactivate(OWNER, image.id);
        await images.deactivate(OWNER, image.id);
        await assert.rejects(images.openImageData(OWNER, image.id), { status: 403 });
        assert.deepEqual(await buffer(await images.openImageData(ADMIN, image.id)), QCOW2);
        await images.reactivate(OWNER, image.id);
        assert.deepEqual(await buffer(await images.openImageData(OWNER, image.id)), QCOW2);
      }));
  });
}

describe('image data limits', () => {
  test('image_size_cap: 413, the partial data removed, the image queued', () =>
    withImages(
      'sqlite',
      async ({ images, storedFiles }) => {
        const image = await queuedQcow2(images);
        await assert.rejects(images.uploadImageData(OWNER, image.id, Readable.from([QCOW2, QCOW2])), { status: 413 });
        assert.equal((await images.get(OWNER, image.id)).status, 'queued');
        assert.deepEqual(await storedFiles(), []);
      },
      { limits: { sizeCap: QCOW2.length + 10 } },
    ));

  test('image_size_total: an upload past the project quota is 413 worded as a quota', () =>
    withImages(
      'sqlite',
      async ({ images, storedFiles }) => {
        const first = await queuedQcow2(images, 'first');
        await images.uploadImageData(OWNER, first.id, Readable.from([QCOW2]));
        const second = await queuedQcow2(images, 'second');
        await assert.rejects(images.uploadImageData(OWNER, second.id, Readable.from([QCOW2])), {
          status: 413,
          message: /image_size_total is over limit of 100/,
        });
        assert.equal((await images.get(OWNER, second.id)).status, 'queued');
        assert.deepEqual(await storedFiles(), [first.id]);
        const other = await images.create(memberOf('other'), { disk_format: 'qcow2', container_format: 'bare' });
        assert.equal((await images.uploadImageData(memberOf('other'), other.id, Readable.from([QCOW2]))).status, 'active');
      },
      { limits: { sizeTotal: 100 } },
    ));

  test('snapshots for compute: queued, private, with Nova\'s properties, filled through the same upload', () =>
    withImages('sqlite', async ({ images }) => {
      const snapshot = await images.createSnapshotImage(OWNER, { name: 'snap', instanceUuid: 'inst-1', baseImageRef: 'base-1', minDisk: 1 });
      assert.equal(snapshot.status, 'queued');
      assert.equal(snapshot.visibility, 'private');
      assert.deepEqual(snapshot.properties, { base_image_ref: 'base-1', image_type: 'snapshot', instance_uuid: 'inst-1' });
      assert.equal((await images.uploadImageData(OWNER, snapshot.id, Readable.from([QCOW2]))).status, 'active');
      assert.equal((await images.getImageForCompute(OWNER, snapshot.id)).size, QCOW2.length);
      // A volume-backed server's snapshot has no data: an empty upload activates it, with no format to check.
      const empty = await images.createSnapshotImage(OWNER, { name: 'volume-backed', instanceUuid: 'inst-2' });
      const active = await images.uploadImageData(OWNER, empty.id, Readable.from([]));
      assert.deepEqual([active.status, active.size, active.virtual_size, active.disk_format], ['active', 0, 0, 'qcow2']);
    }));
});
