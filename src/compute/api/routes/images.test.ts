import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import type { ImageService } from '../../../image/images/image-service.js';
import { withImages } from '../../../image/images/testing/image-fixture.js';
import { ADMIN, memberOf } from '../../db/testing/compute-db.js';
import { withComputeApp, type Harness } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');
const OTHER = memberOf('other');
const SERVER = '0c1e2f3a-0000-4000-8000-00000000beef';

/** The compute app with the image proxy over a real image service: a public active image of the admin's, demo's queued snapshot, other's private image. */
function withProxy(fn: (harness: Harness, images: ImageService, ids: { cirros: string; snapshot: string; hidden: string }) => Promise<void>): Promise<void> {
  return withImages('sqlite', ({ images, advance }) =>
    withComputeApp(async (harness) => {
      const cirros = await images.create(ADMIN, { name: 'cirros', disk_format: 'raw', container_format: 'bare', visibility: 'public', min_disk: 1, min_ram: 64, properties: { os_distro: 'cirros' } });
      await images.uploadImageData(ADMIN, cirros.id, Readable.from([Buffer.from('raw disk bytes')]));
      advance(60_000);
      const snapshot = await images.createSnapshotImage(DEMO, { name: 'snap', instanceUuid: SERVER, minDisk: 5, properties: { auto_disk_config: 'True' } });
      advance(60_000);
      const hidden = await images.create(OTHER, { name: 'secret', visibility: 'private' });
      await fn(harness, images, { cirros: cirros.id, snapshot: snapshot.id, hidden: hidden.id });
    }, { images }),
  );
}

function ids(json: Record<string, unknown>): string[] {
  return (json['images'] as { id: string }[]).map((image) => image.id);
}

describe('compute routes: the image proxy /v2.1/images', () => {
  test("show and detail in Nova's view: status, progress, size, metadata, links, the snapshot's server and disk config", () =>
    withProxy(async ({ call }, _images, { cirros, snapshot }) => {
      const shown = await call('GET', `/images/${cirros}`, { as: DEMO });
      assert.equal(shown.status, 200);
      const image = shown.json['image'] as Record<string, unknown>;
      assert.deepEqual({ ...image, created: undefined, updated: undefined }, {
        id: cirros, name: 'cirros', minRam: 64, minDisk: 1, metadata: { os_distro: 'cirros' }, created: undefined, updated: undefined,
        status: 'ACTIVE', progress: 100, 'OS-EXT-IMG-SIZE:size': 14,
        links: [
          { rel: 'self', href: `http://cloud/compute/v2.1/images/${cirros}` },
          { rel: 'bookmark', href: `http://cloud/compute/images/${cirros}` },
          { rel: 'alternate', type: 'application/vnd.openstack.image', href: `http://cloud/image/images/${cirros}` },
        ],
      });
      assert.match(String(image['created']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      const detail = await call('GET', '/images/detail', { as: DEMO });
      assert.equal(detail.status, 200);
      const snap = (detail.json['images'] as Record<string, unknown>[]).find((entry) => entry['id'] === snapshot);
      assert.deepEqual([snap?.['status'], snap?.['progress'], snap?.['OS-EXT-IMG-SIZE:size'], snap?.['minDisk'], snap?.['OS-DCF:diskConfig']], ['SAVING', 25, 0, 5, 'AUTO']);
      assert.deepEqual(snap?.['server'], {
        id: SERVER,
        links: [
          { rel: 'self', href: `http://cloud/compute/v2.1/servers/${SERVER}` },
          { rel: 'bookmark', href: `http://cloud/compute/servers/${SERVER}` },
        ],
      });
      assert.equal(detail.json['images_links'], undefined, 'no next link without a limit');
    }));

  test("the list is the caller's images, newest first; another project's private image is hidden everywhere", () =>
    withProxy(async ({ call }, _images, { cirros, snapshot, hidden }) => {
      const listed = await call('GET', '/images', { as: DEMO });
      assert.equal(listed.status, 200);
      assert.deepEqual(ids(listed.json), [snapshot, cirros]);
      assert.deepEqual(Object.keys((listed.json['images'] as object[])[0] ?? {}), ['id', 'name', 'links']);
      assert.deepEqual(ids((await call('GET', '/images', { as: OTHER })).json), [hidden, cirros]);
      assert.deepEqual(ids((await call('GET', '/images')).json), [hidden, snapshot, cirros], 'the admin sees all');
      for (const [method, path] of [['GET', `/images/${hidden}`], ['DELETE', `/images/${hidden}`], ['GET', `/images/${hidden}/metadata`]] as const) {
        const reply = await call(method, path, { as: DEMO });
        assert.deepEqual([reply.status, reply.json], [404, { itemNotFound: { code: 404, message: 'Image not found.' } }], `${method} ${path}`);
      }
    }));

  test("Nova's filters in Glance's words: name, status, server (id or URL), type, minDisk, minRam, changes-since", () =>
    withProxy(async ({ call }, _images, { cirros, snapshot }) => {
      const filtered = async (query: string) => {
        const reply = await call('GET', `/images/detail?${query}`, { as: DEMO });
        assert.equal(reply.status, 200, `${query}: ${JSON.stringify(reply.json)}`);
        return ids(reply.json);
      };
      assert.deepEqual(await filtered('name=cirros'), [cirros]);
      assert.deepEqual(await filtered('status=ACTIVE'), [cirros]);
      assert.deepEqual(await filtered('status=SAVING'), [], "Nova passes the status on, lower case: Glance's queued is not saving");
      assert.deepEqual(await filtered(`server=${SERVER}`), [snapshot]);
      assert.deepEqual(await filtered(`server=${encodeURIComponent(`http://cloud/compute/v2.1/servers/${SERVER}`)}`), [snapshot]);
      assert.deepEqual(await filtered('type=snapshot'), [snapshot]);
      assert.deepEqual(await filtered('property-os_distro=cirros'), [cirros]);
      assert.deepEqual(await filtered('minDisk=5'), [snapshot]);
      assert.deepEqual(await filtered('minRam=64'), [cirros]);
      assert.deepEqual(await filtered('changes-since=2026-11-24T10:00:30Z'), [snapshot]);
      assert.deepEqual(await filtered('changes-since=2030-01-01T00:00:00Z'), []);
      const bad = await call('GET', '/images?changes-since=yesterday', { as: DEMO });
      assert.equal(bad.status, 400);
    }));

  test('limit and marker page the list with images_links; a bad limit or an unknown marker is 400', () =>
    withProxy(async ({ call }, _images, { cirros, snapshot }) => {
      const first = await call('GET', '/images?limit=1&name=cirros', { as: ADMIN });
      assert.deepEqual(ids(first.json), [cirros]);
      assert.deepEqual(first.json['images_links'], [{ rel: 'next', href: `http://cloud/compute/v2.1/images?limit=1&name=cirros&marker=${cirros}` }]);
      const page = await call('GET', '/images/detail?limit=1', { as: DEMO });
      assert.deepEqual(ids(page.json), [snapshot]);
      assert.deepEqual(page.json['images_links'], [{ rel: 'next', href: `http://cloud/compute/v2.1/images/detail?limit=1&marker=${snapshot}` }]);
      const next = await call('GET', `/images/detail?limit=1&marker=${snapshot}`, { as: DEMO });
      assert.deepEqual(ids(next.json), [cirros]);
      const last = await call('GET', `/images/detail?limit=1&marker=${cirros}`, { as: DEMO });
      assert.deepEqual([ids(last.json), last.json['images_links']], [[], undefined]);
      assert.deepEqual(ids((await call('GET', '/images?limit=0', { as: DEMO })).json), [snapshot, cirros], 'limit 0 is no limit, as in Nova');
      assert.equal((await call('GET', '/images?limit=-1', { as: DEMO })).status, 400);
      assert.equal((await call('GET', '/images?limit=many', { as: DEMO })).status, 400);
      assert.equal((await call('GET', '/images?marker=6f1c4a46-0000-4000-8000-000000000000', { as: DEMO })).status, 400);
    }));

  test('delete: 204 and gone; a public image of another project is 403, a protected one too', () =>
    withProxy(async ({ call }, images, { cirros, snapshot }) => {
      const refused = await call('DELETE', `/images/${cirros}`, { as: DEMO });
      assert.deepEqual([refused.status, refused.json], [403, { forbidden: { code: 403, message: 'You are not allowed to delete the image.' } }]);
      assert.equal((await call('DELETE', `/images/${snapshot}`, { as: DEMO })).status, 204);
      assert.equal((await call('GET', `/images/${snapshot}`, { as: DEMO })).status, 404);
      await images.update(ADMIN, cirros, [{ op: 'replace', path: ['protected'], value: true }]);
      assert.equal((await call('DELETE', `/images/${cirros}`)).status, 403);
      assert.equal((await images.get(ADMIN, cirros)).id, cirros);
    }));

  test('metadata: index, show, create merges, update_all replaces, update one, delete one, in Glance', () =>
    withProxy(async ({ call }, images, { snapshot, cirros }) => {
      const path = `/images/${snapshot}/metadata`;
      const metadata = async () => (await call('GET', path, { as: DEMO })).json['metadata'];
      assert.equal(((await metadata()) as Record<string, string>)['image_type'], 'snapshot');
      assert.deepEqual((await call('GET', `${path}/instance_uuid`, { as: DEMO })).json, { meta: { instance_uuid: SERVER } });
      assert.equal((await call('GET', `${path}/missing`, { as: DEMO })).status, 404);

      const created = await call('POST', path, { body: { metadata: { os_version: '1', auto_disk_config: 'False' } }, as: DEMO });
      assert.equal(created.status, 200);
      assert.deepEqual(created.json['metadata'], { ...(await images.get(DEMO, snapshot)).properties });
      assert.equal((await images.get(DEMO, snapshot)).properties['auto_disk_config'], 'False');

      const replaced = await call('PUT', path, { body: { metadata: { a: '1', b: '2' } }, as: DEMO });
      assert.deepEqual([replaced.status, replaced.json], [200, { metadata: { a: '1', b: '2' } }]);
      assert.deepEqual((await images.get(DEMO, snapshot)).properties, { a: '1', b: '2' });

      assert.deepEqual((await call('PUT', `${path}/a`, { body: { meta: { a: 'one' } }, as: DEMO })).json, { meta: { a: 'one' } });
      const mismatch = await call('PUT', `${path}/a`, { body: { meta: { b: 'x' } }, as: DEMO });
      assert.deepEqual([mismatch.status, mismatch.json], [400, { badRequest: { code: 400, message: 'Request body and URI mismatch' } }]);
      assert.equal((await call('DELETE', `${path}/b`, { as: DEMO })).status, 204);
      assert.deepEqual(await metadata(), { a: 'one' });
      const gone = await call('DELETE', `${path}/b`, { as: DEMO });
      assert.deepEqual([gone.status, gone.json], [404, { itemNotFound: { code: 404, message: 'Invalid metadata key' } }]);

      assert.equal((await call('POST', `/images/${cirros}/metadata`, { body: { metadata: { x: 'y' } }, as: DEMO })).status, 403, "Glance's modify_image: not demo's image");
      assert.equal((await call('POST', path, { body: { metadata: { os_glance_x: 'y' } }, as: DEMO })).status, 403, 'reserved in Glance');
      assert.equal((await call('PUT', path, { body: { metadata: Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v'])) }, as: DEMO })).status, 403, 'over metadata_items');
    }));

  test('gone from 2.36 on, as in Nova (404 before the body is looked at)', () =>
    withProxy(async ({ call }, _images, { cirros }) => {
      assert.equal((await call('GET', '/images', { version: '2.35' })).status, 200);
      for (const [method, path, body] of [
        ['GET', '/images', undefined], ['GET', '/images/detail', undefined], ['GET', `/images/${cirros}`, undefined], ['DELETE', `/images/${cirros}`, undefined],
        ['GET', `/images/${cirros}/metadata`, undefined], ['POST', `/images/${cirros}/metadata`, { bogus: 1 }], ['DELETE', `/images/${cirros}/metadata/os_distro`, undefined],
      ] as const) {
        const reply = await call(method, path, { version: '2.36', ...(body === undefined ? {} : { body }) });
        assert.equal(reply.status, 404, `${method} ${path}`);
      }
    }));
});
