import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { ImageService } from '../../images/image-service.js';
import { memberOf, QCOW2_MAGIC } from '../../images/testing/image-fixture.js';
import { withImageApp, type Call } from './image-test-app.js';

const OTHER = memberOf('other-project');
const DATA = Buffer.concat([QCOW2_MAGIC, Buffer.from('staged for glance-direct')]);
const GLANCE_DIRECT = { method: { name: 'glance-direct' } };

function withRoutes(fn: (call: Call, images: ImageService) => Promise<void>): Promise<void> {
  return withImageApp(({ call, images }) => fn(call, images));
}

async function createImage(call: Call, body: Record<string, unknown> = { disk_format: 'qcow2', container_format: 'bare' }): Promise<string> {
  const created = await call('POST', '/v2/images', { body });
  assert.equal(created.status, 201);
  return String(created.json['id']);
}

async function statusOf(call: Call, id: string): Promise<unknown> {
  return (await call('GET', `/v2/images/${id}`)).json['status'];
}

describe('interoperable image import (glance-direct)', () => {
  test('discovery lists glance-direct; create names it in OpenStack-image-import-methods', () =>
    withRoutes(async (call) => {
      const info = await call('GET', '/v2/info/import');
      assert.deepEqual(info.json, { 'import-methods': { description: 'Import methods available.', type: 'array', value: ['glance-direct'] } });
      const created = await call('POST', '/v2/images', { body: { name: 'x' } });
      assert.equal(created.headers['openstack-image-import-methods'], 'glance-direct');
    }));

  test('stage → uploading with the staged size; import → 202, importing → active with checksum, hashes and the data', () =>
    withRoutes(async (call, images) => {
      const id = await createImage(call);
      const staged = await call('PUT', `/v2/images/${id}/stage`, { body: DATA });
      assert.equal(staged.status, 204);
      const uploading = (await call('GET', `/v2/images/${id}`)).json;
      assert.deepEqual([uploading['status'], uploading['size'], uploading['checksum']], ['uploading', DATA.length, null]);
      assert.equal((await call('GET', `/v2/images/${id}/file`)).status, 204, 'staged data is not the image data yet');
      const usage = (await call('GET', '/v2/info/usage')).json['usage'] as Record<string, { usage: number }>;
      assert.equal(usage['image_count_uploading']?.usage, 1);

      const started = await call('POST', `/v2/images/${id}/import`, { body: { ...GLANCE_DIRECT, all_stores: true } });
      assert.deepEqual([started.status, started.raw.length], [202, 0]);
      assert.ok(['importing', 'active'].includes(String(await statusOf(call, id))));
      await images.whenImportsIdle();

      const active = (await call('GET', `/v2/images/${id}`)).json;
      assert.equal(active['status'], 'active');
      assert.equal(active['size'], DATA.length);
      assert.equal(active['checksum'], createHash('md5').update(DATA).digest('hex'));
      assert.equal(active['os_hash_algo'], 'sha512');
      assert.equal(active['os_hash_value'], createHash('sha512').update(DATA).digest('hex'));
      // Glance's single-store import leaves its store lists, empty, and drops its lock.
      assert.deepEqual([active['os_glance_importing_to_stores'], active['os_glance_failed_import']], ['', '']);
      assert.equal(active['os_glance_import_task'], undefined);
      assert.deepEqual((await call('GET', `/v2/images/${id}/file`)).raw, DATA);

      const again = await call('POST', `/v2/images/${id}/import`, { body: GLANCE_DIRECT });
      assert.deepEqual([again.status, again.json], [409, { code: '409 Conflict', title: 'Conflict', message: 'Image with status active cannot be target for import' }]);
      const restage = await call('PUT', `/v2/images/${id}/stage`, { body: DATA });
      assert.deepEqual([restage.status, restage.json['message']], [409, 'Image status transition from active to uploading is not allowed']);
      assert.equal(await statusOf(call, id), 'active');
    }));

  test('refusals change nothing: import unstaged 409, bad method 400, bad body 400, others 404, stage twice 409, wrong media type 415', () =>
    withRoutes(async (call) => {
      const id = await createImage(call);
      const unstaged = await call('POST', `/v2/images/${id}/import`, { body: GLANCE_DIRECT });
      assert.deepEqual([unstaged.status, unstaged.json['message']], [409, "Image needs to be staged before 'glance-direct' method can be used"]);
      const unknown = await call('POST', `/v2/images/${id}/import`, { body: { method: { name: 'web-download' } } });
      assert.deepEqual(unknown.json, { code: '400 Bad Request', title: 'Bad Request', message: "Unknown import method name 'web-download'." });
      assert.equal((await call('POST', `/v2/images/${id}/import`, { body: {} })).json['message'], "Import request requires a 'method' field.");
      assert.equal((await call('POST', `/v2/images/${id}/import`, { body: { method: {} } })).json['message'], "Import request requires a 'name' field.");
      assert.equal((await call('POST', `/v2/images/${id}/import`, { body: { ...GLANCE_DIRECT, all_stores: 'yes' } })).status, 400);
      assert.equal((await call('PUT', `/v2/images/${id}/stage`, { body: { not: 'data' } })).status, 415);
      assert.equal(await statusOf(call, id), 'queued');

      const theirs = await call('PUT', `/v2/images/${id}/stage`, { body: DATA, as: OTHER });
      assert.deepEqual([theirs.status, theirs.json['message']], [404, `No image found with ID ${id}`]);
      assert.equal(await statusOf(call, id), 'queued');

      assert.equal((await call('PUT', `/v2/images/${id}/stage`, { body: DATA })).status, 204);
      assert.equal((await call('POST', `/v2/images/${id}/import`, { body: GLANCE_DIRECT, as: OTHER })).status, 404);
      const twice = await call('PUT', `/v2/images/${id}/stage`, { body: DATA });
      assert.deepEqual([twice.status, twice.json['message']], [409, 'Image status transition from uploading to uploading is not allowed']);
      const single = await call('POST', `/v2/images/${id}/import`, { body: { ...GLANCE_DIRECT, all_stores_must_succeed: false } });
      assert.equal(single.status, 400, 'all_stores_must_succeed false needs several stores');
      assert.deepEqual([await statusOf(call, id), (await call('GET', `/v2/images/${id}`)).json['size']], ['uploading', DATA.length]);
    }));

  test('stage inspects as upload does: data not in the declared format or unsafe is 400, image back to queued and stageable', () =>
    withRoutes(async (call, images) => {
      const id = await createImage(call, { disk_format: 'raw', container_format: 'bare' });
      const mismatch = await call('PUT', `/v2/images/${id}/stage`, { body: DATA });
      assert.deepEqual([mismatch.status, mismatch.json['message']], [400, `Image data of ${id} is in qcow2 format, not the declared disk_format raw.`]);
      assert.deepEqual([await statusOf(call, id), (await call('GET', `/v2/images/${id}`)).json['size']], ['queued', null]);

      const unsafe = await createImage(call);
      const refused = await call('PUT', `/v2/images/${unsafe}/stage`, { body: Buffer.concat([QCOW2_MAGIC, Buffer.from('BACKING')]) });
      assert.equal(refused.status, 400);
      assert.equal(await statusOf(call, unsafe), 'queued');

      const raw = Buffer.from('plain raw bytes');
      assert.equal((await call('PUT', `/v2/images/${id}/stage`, { body: raw })).status, 204, 'a refused stage left nothing staged');
      assert.equal((await call('POST', `/v2/images/${id}/import`, { body: GLANCE_DIRECT })).status, 202);
      await images.whenImportsIdle();
      assert.equal(await statusOf(call, id), 'active');
      assert.deepEqual((await call('GET', `/v2/images/${id}/file`)).raw, raw);
    }));

  test('an import needs both formats; a staged image deleted is gone with its staged data', () =>
    withRoutes(async (call) => {
      const id = await createImage(call, { name: 'no formats' });
      assert.equal((await call('PUT', `/v2/images/${id}/stage`, { body: DATA })).status, 204);
      const noFormat = await call('POST', `/v2/images/${id}/import`, { body: GLANCE_DIRECT });
      assert.deepEqual([noFormat.status, noFormat.json['message']], [409, "'container_format' needs to be set before import"]);
      assert.equal(await statusOf(call, id), 'uploading');
      assert.equal((await call('DELETE', `/v2/images/${id}`)).status, 204);
      assert.equal((await call('GET', `/v2/images/${id}`)).status, 404);
    }));
});
