import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { RequestContext } from '../../../common/context/request-context.js';
import type { ImageService } from '../../images/image-service.js';
import { ADMIN, memberOf, QCOW2_MAGIC } from '../../images/testing/image-fixture.js';
import { OWNER, withImageApp, type Call } from './image-test-app.js';

const OTHER = memberOf('other-project');
const READER: RequestContext = { ...memberOf('owner-project'), roles: ['reader'] };
const DATA = Buffer.concat([QCOW2_MAGIC, Buffer.from('0123456789abcdefghij')]);
const PATCH = 'application/openstack-images-v2.1-json-patch';

/** The image routes with the caller in a test-only header (see image-test-app.ts). */
function withRoutes(fn: (call: Call, images: ImageService) => Promise<void>): Promise<void> {
  return withImageApp(({ call, images }) => fn(call, images));
}

describe('image routes', () => {
  test('create and show: Glance\'s image shape, extra string properties, read-only and unknown formats refused', () =>
    withRoutes(async (call) => {
      const created = await call('POST', '/v2/images', {
        body: { name: 'cirros', disk_format: 'qcow2', container_format: 'bare', 'owner_specified.openstack.md5': '', a: 'b', tags: ['t'] },
      });
      assert.equal(created.status, 201);
      const id = String(created.json['id']);
      assert.deepEqual(created.json, {
        'owner_specified.openstack.md5': '',
        a: 'b',
        id,
        name: 'cirros',
        status: 'queued',
        disk_format: 'qcow2',
        container_format: 'bare',
        visibility: 'shared',
        size: null,
        virtual_size: null,
        checksum: null,
        os_hash_algo: null,
        os_hash_value: null,
        protected: false,
        os_hidden: false,
        min_ram: 0,
        min_disk: 0,
        owner: 'owner-project',
        tags: ['t'],
        created_at: '2026-11-24T10:00:00Z',
        updated_at: '2026-11-24T10:00:00Z',
        self: `/v2/images/${id}`,
        file: `/v2/images/${id}/file`,
        schema: '/v2/schemas/image',
      });
      assert.deepEqual((await call('GET', `/v2/images/${id}`)).json, created.json);

      const notFound = await call('GET', `/v2/images/${id}`, { as: OTHER });
      assert.deepEqual(notFound.json, { code: '404 Not Found', title: 'Not Found', message: `No image found with ID ${id}` });
      assert.equal((await call('GET', '/v2/images/cirros')).status, 404, 'the CLI looks names up as ids first');
      assert.equal((await call('POST', '/v2/images', { body: { disk_format: 'floppy' } })).status, 400);
      assert.equal((await call('POST', '/v2/images', { body: { container_format: 'box' } })).status, 400);
      assert.equal((await call('POST', '/v2/images', { body: { a: 5 } })).status, 400, 'extra properties are strings');
      const readOnly = await call('POST', '/v2/images', { body: { status: 'active' } });
      assert.deepEqual([readOnly.status, readOnly.json['message']], [403, "Attribute 'status' is read-only."]);
      assert.equal((await call('POST', '/v2/images', { body: { visibility: 'public' } })).status, 403, 'publicize_image is admin only');
      assert.equal((await call('POST', '/v2/images', { body: { visibility: 'public' }, as: ADMIN })).status, 201);
      assert.equal((await call('POST', '/v2/images', { body: { owner: 'other-project' } })).status, 403);
      assert.equal((await call('POST', '/v2/images', { body: {}, as: READER })).status, 403, 'readers do not create');
    }));

  test('JSON patch: add/replace/remove, read-only 403, malformed 400, wrong media type 415, others 403/404', () =>
    withRoutes(async (call) => {
      const id = String((await call('POST', '/v2/images', { body: { name: 'x', p: '1' } })).json['id']);
      const patch = (body: unknown, as = OWNER, type = PATCH) => call('PATCH', `/v2/images/${id}`, { as, headers: { 'content-type': type }, body: Buffer.from(JSON.stringify(body)) });
      const ok = await patch([
        { op: 'replace', path: '/name', value: 'y' },
        { op: 'add', path: '/q', value: '2' },
        { op: 'remove', path: '/p' },
        { op: 'add', path: '/tags/0', value: 'new' },
        { op: 'replace', path: '/min_ram', value: 256 },
      ]);
      assert.equal(ok.status, 200);
      assert.equal(ok.json['name'], 'y');
      assert.equal(ok.json['q'], '2');
      assert.equal(ok.json['p'], undefined);
      assert.deepEqual(ok.json['tags'], ['new']);
      assert.equal(ok.json['min_ram'], 256);

      for (const attribute of ['id', 'status', 'checksum', 'size', 'os_hash_value', 'self']) {
        const refused = await patch([{ op: 'replace', path: `/${attribute}`, value: 'z' }]);
        assert.deepEqual([refused.status, refused.json['message']], [403, `Attribute '${attribute}' is read-only.`]);
      }
      assert.equal((await patch({ op: 'replace' })).status, 400, 'not an array');
      assert.equal((await patch([{ op: 'move', path: '/name', value: 'z' }])).status, 400);
      assert.equal((await patch([{ op: 'replace', path: 'name', value: 'z' }])).status, 400);
      assert.equal((await patch([{ op: 'replace', path: '/name' }])).status, 400, 'no value');
      assert.equal((await patch([{ op: 'replace', path: '/a/b', value: 'z' }])).status, 400);
      assert.equal((await patch([{ op: 'replace', path: '/visibility', value: 'everyone' }])).status, 400);
      assert.equal((await patch([{ op: 'replace', path: '/min_ram', value: '1' }])).status, 400);
      const bad = await call('PATCH', `/v2/images/${id}`, { headers: { 'content-type': PATCH }, body: Buffer.from('[{') });
      assert.deepEqual([bad.status, bad.json['message']], [400, 'Malformed JSON in request body.']);
      const wrongType = await patch([], OWNER, 'application/json');
      assert.equal(wrongType.status, 415);
      assert.match(String(wrongType.headers['accept-patch']), /openstack-images-v2.1-json-patch/);
      assert.equal((await patch([{ op: 'replace', path: '/visibility', value: 'public' }])).status, 403);
      assert.equal((await patch([{ op: 'replace', path: '/name', value: 'z' }], OTHER)).status, 404, 'invisible: 404');
      await patch([{ op: 'replace', path: '/visibility', value: 'community' }]);
      assert.equal((await patch([{ op: 'replace', path: '/name', value: 'z' }], OTHER)).status, 403, 'visible but not theirs: 403');
      assert.equal((await patch([{ op: 'replace', path: '/name', value: 'z' }], ADMIN)).status, 200);
    }));

  test('JSON patch: owner is the admin\'s, computed attributes read-only, locations refused, visibility by policy', () =>
    withRoutes(async (call, images) => {
      const id = String((await call('POST', '/v2/images', { body: { name: 'x' } })).json['id']);
      const patch = (body: unknown, as = OWNER) => call('PATCH', `/v2/images/${id}`, { as, headers: { 'content-type': PATCH }, body: Buffer.from(JSON.stringify(body)) });
      const before = await images.get(ADMIN, id);
      for (const op of ['replace', 'add']) {
        for (const value of ['admin-project', null]) {
          const refused = await patch([{ op, path: '/owner', value }]);
          assert.deepEqual([refused.status, refused.json['message']], [403, "Owner can't be updated by non admin."], `${op} owner ${String(value)}`);
        }
      }
      for (const attribute of ['id', 'status', 'checksum', 'size', 'virtual_size', 'direct_url', 'os_hash_algo', 'os_hash_value', 'created_at', 'updated_at', 'file', 'schema', 'self']) {
        for (const op of ['replace', 'add', 'remove']) {
          const refused = await patch([{ op, path: `/${attribute}`, value: 'z' }]);
          assert.deepEqual([refused.status, refused.json['message']], [403, `Attribute '${attribute}' is read-only.`], `${op} ${attribute}`);
        }
      }
      const locations: [unknown, string][] = [
        [{ op: 'replace', path: '/locations', value: [] }, 'Cannot set locations to empty list.'],
        [{ op: 'replace', path: '/locations', value: [{ url: 'file:///etc/passwd', metadata: {} }] }, "It's not allowed to update locations if locations are invisible."],
        [{ op: 'add', path: '/locations/-', value: { url: 'file:///etc/passwd', metadata: {} } }, "It's not allowed to add locations if locations are invisible."],
        [{ op: 'remove', path: '/locations/0' }, "It's not allowed to remove locations if locations are invisible."],
      ];
      for (const [change, message] of locations) {
        const refused = await patch([change]);
        assert.deepEqual([refused.status, refused.json['message']], [403, message], JSON.stringify(change));
      }
      assert.equal((await patch([{ op: 'add', path: '/locations', value: [] }])).status, 400, 'locations are added one by index');
      assert.equal((await patch([{ op: 'replace', path: '/visibility', value: 'public' }])).status, 403, 'publicize_image is the admin\'s');
      assert.deepEqual(await images.get(ADMIN, id), before, 'nothing refused changed the image');

      const own = await patch([
        { op: 'replace', path: '/protected', value: true },
        { op: 'replace', path: '/os_hidden', value: true },
        { op: 'replace', path: '/visibility', value: 'community' },
      ]);
      assert.deepEqual([own.status, own.json['protected'], own.json['os_hidden'], own.json['visibility']], [200, true, true, 'community'], 'the owner\'s project sets protected, os_hidden, community');
      assert.equal((await patch([{ op: 'replace', path: '/protected', value: false }], READER)).status, 403, 'a reader does not');
      const moved = await patch([{ op: 'replace', path: '/owner', value: 'other-project' }, { op: 'replace', path: '/visibility', value: 'public' }], ADMIN);
      assert.deepEqual([moved.status, moved.json['owner'], moved.json['visibility']], [200, 'other-project', 'public'], 'the admin moves and publishes it');
    }));

  test('upload and download: 204s, Content-MD5, Range 206 and 416, 409 on a second upload', () =>
    withRoutes(async (call) => {
      const id = String((await call('POST', '/v2/images', { body: { disk_format: 'qcow2', container_format: 'bare' } })).json['id']);
      assert.equal((await call('GET', `/v2/images/${id}/file`)).status, 204, 'no data yet');
      const upload = await call('PUT', `/v2/images/${id}/file`, { body: DATA });
      assert.equal(upload.status, 204);
      const again = await call('PUT', `/v2/images/${id}/file`, { body: DATA });
      assert.deepEqual([again.status, again.json['message']], [409, 'Image status transition from active to saving is not allowed']);
      assert.equal((await call('PUT', `/v2/images/${id}/file`, { body: DATA, as: OTHER })).status, 404);

      const whole = await call('GET', `/v2/images/${id}/file`);
      assert.equal(whole.status, 200);
      assert.deepEqual(whole.raw, DATA);
      assert.equal(whole.headers['content-type'], 'application/octet-stream');
      assert.equal(whole.headers['content-md5'], createHash('md5').update(DATA).digest('hex'));
      assert.equal(whole.headers['content-length'], String(DATA.length));

      const part = await call('GET', `/v2/images/${id}/file`, { headers: { range: 'bytes=4-7' } });
      assert.equal(part.status, 206);
      assert.deepEqual(part.raw, DATA.subarray(4, 8));
      assert.equal(part.headers['content-range'], `bytes 4-7/${DATA.length}`);
      const tail = await call('GET', `/v2/images/${id}/file`, { headers: { range: 'bytes=-3' } });
      assert.deepEqual(tail.raw, DATA.subarray(-3));
      const open = await call('GET', `/v2/images/${id}/file`, { headers: { range: 'bytes=20-' } });
      assert.deepEqual(open.raw, DATA.subarray(20));
      const beyond = await call('GET', `/v2/images/${id}/file`, { headers: { range: `bytes=${DATA.length}-` } });
      assert.equal(beyond.status, 416);
      assert.equal(beyond.headers['content-range'], `bytes */${DATA.length}`);
      assert.equal((await call('GET', `/v2/images/${id}/file`, { headers: { range: 'bytes=1-2,4-5' } })).status, 416);

      const shown = (await call('GET', `/v2/images/${id}`)).json;
      assert.equal(shown['status'], 'active');
      assert.equal(shown['size'], DATA.length);

      assert.equal((await call('POST', `/v2/images/${id}/actions/deactivate`)).status, 204);
      assert.equal((await call('GET', `/v2/images/${id}/file`)).status, 403);
      assert.equal((await call('GET', `/v2/images/${id}/file`, { as: ADMIN })).status, 200);
      assert.equal((await call('POST', `/v2/images/${id}/actions/reactivate`)).status, 204);
      assert.equal((await call('POST', `/v2/images/${id}/actions/explode`)).status, 400);
      assert.equal((await call('PUT', `/v2/images/${id}/file`, { body: { not: 'data' } })).status, 415);

      const big = String((await call('POST', '/v2/images', { body: { disk_format: 'qcow2', container_format: 'bare' } })).json['id']);
      const bigData = Buffer.concat([QCOW2_MAGIC, Buffer.alloc(8192, 1)]);
      assert.equal((await call('PUT', `/v2/images/${big}/file`, { body: bigData })).status, 204, 'uploads are not held to the JSON body limit');
      assert.deepEqual((await call('GET', `/v2/images/${big}/file`)).raw, bigData);
    }));

  test('list: filters, paging links relative as Glance gives them', () =>
    withRoutes(async (call) => {
      for (const name of ['a', 'b', 'c']) await call('POST', '/v2/images', { body: { name, visibility: 'private', kind: 'test' } });
      const first = await call('GET', '/v2/images?limit=2&sort=name:asc&kind=test');
      assert.deepEqual((first.json['images'] as { name: string }[]).map((image) => image.name), ['a', 'b']);
      assert.equal(first.json['first'], '/v2/images?limit=2&sort=name%3Aasc&kind=test');
      assert.equal(first.json['schema'], '/v2/schemas/images');
      const next = String(first.json['next']);
      assert.match(next, /^\/v2\/images\?limit=2&sort=name%3Aasc&kind=test&marker=[0-9a-f-]{36}$/);
      const second = await call('GET', next);
      assert.deepEqual((second.json['images'] as { name: string }[]).map((image) => image.name), ['c']);
      assert.equal(second.json['next'], undefined);
      assert.deepEqual((await call('GET', '/v2/images', { as: OTHER })).json['images'], []);
      assert.equal((await call('GET', '/v2/images?sort_key=bogus')).status, 400);
    }));

  test('tags and members: share, accept as the member, visible to that project only', () =>
    withRoutes(async (call) => {
      const id = String((await call('POST', '/v2/images', { body: { name: 'shared-one' } })).json['id']);
      assert.equal((await call('PUT', `/v2/images/${id}/tags/blue`)).status, 204);
      assert.deepEqual((await call('GET', `/v2/images/${id}`)).json['tags'], ['blue']);
      assert.equal((await call('DELETE', `/v2/images/${id}/tags/blue`)).status, 204);
      assert.equal((await call('DELETE', `/v2/images/${id}/tags/blue`)).status, 404);
      const long = 'é'.repeat(255);
      assert.equal((await call('PUT', `/v2/images/${id}/tags/${encodeURIComponent(long)}`)).status, 204, 'a tag of 255 characters, percent-encoded');
      assert.deepEqual((await call('GET', `/v2/images/${id}`)).json['tags'], [long]);
      assert.equal((await call('DELETE', `/v2/images/${id}/tags/${encodeURIComponent(long)}`)).status, 204);
      assert.equal((await call('PUT', `/v2/images/${id}/tags/${'t'.repeat(256)}`)).status, 400, 'longer than Glance allows');

      const friend = memberOf('friend-project');
      const added = await call('POST', `/v2/images/${id}/members`, { body: { member: 'friend-project' } });
      assert.equal(added.status, 200);
      assert.deepEqual(added.json, {
        created_at: '2026-11-24T10:00:00Z',
        image_id: id,
        member_id: 'friend-project',
        schema: '/v2/schemas/member',
        status: 'pending',
        updated_at: '2026-11-24T10:00:00Z',
      });
      assert.equal((await call('POST', `/v2/images/${id}/members`, { body: { member: 'friend-project' } })).status, 409);
      assert.equal((await call('PUT', `/v2/images/${id}/members/friend-project`, { body: { status: 'accepted' } })).status, 403, 'the owner cannot accept for the member');
      assert.equal((await call('PUT', `/v2/images/${id}/members/friend-project`, { body: { status: 'maybe' }, as: friend })).status, 400);
      const accepted = await call('PUT', `/v2/images/${id}/members/friend-project`, { body: { status: 'accepted' }, as: friend });
      assert.equal(accepted.json['status'], 'accepted');
      assert.deepEqual(((await call('GET', '/v2/images', { as: friend })).json['images'] as { id: string }[]).map((image) => image.id), [id]);
      assert.equal((await call('GET', `/v2/images/${id}`, { as: OTHER })).status, 404);
      const listed = await call('GET', `/v2/images/${id}/members`);
      assert.deepEqual((listed.json['members'] as { member_id: string }[]).map((member) => member.member_id), ['friend-project']);
      assert.equal(listed.json['schema'], '/v2/schemas/members');
      assert.equal((await call('DELETE', `/v2/images/${id}/members/friend-project`, { as: friend })).status, 403);
      assert.equal((await call('DELETE', `/v2/images/${id}/members/friend-project`)).status, 204);
      assert.equal((await call('GET', `/v2/images/${id}`, { as: friend })).status, 404);
    }));

  test('list: size (and virtual_size) filter exactly, as any image column in Glance', () =>
    withRoutes(async (call) => {
      const id = String((await call('POST', '/v2/images', { body: { disk_format: 'qcow2', container_format: 'bare' } })).json['id']);
      await call('PUT', `/v2/images/${id}/file`, { body: DATA });
      await call('POST', '/v2/images', { body: {} });
      const ids = async (query: string) => ((await call('GET', `/v2/images?${query}`)).json['images'] as { id: string }[]).map((image) => image.id);
      assert.deepEqual(await ids(`size=${DATA.length}`), [id]);
      assert.deepEqual(await ids(`size=${DATA.length + 1}`), []);
      assert.equal((await call('GET', '/v2/images?size=big')).status, 400);
    }));

  test('discovery: glance-direct import, no store list on a single-store site, the caller\'s project usage', () =>
    withRoutes(async (call) => {
      assert.deepEqual((await call('GET', '/v2/info/import')).json, {
        'import-methods': { description: 'Import methods available.', type: 'array', value: ['glance-direct'] },
      });
      const stores = await call('GET', '/v2/info/stores');
      assert.deepEqual([stores.status, stores.json['message']], [404, 'Multi backend is not supported at this site.']);
      assert.equal((await call('GET', '/v2/info/stores/detail', { as: ADMIN })).status, 404);
      assert.equal((await call('POST', '/v2/info/import', { body: {} })).status, 405);

      const id = String((await call('POST', '/v2/images', { body: { disk_format: 'qcow2', container_format: 'bare' } })).json['id']);
      await call('PUT', `/v2/images/${id}/file`, { body: DATA });
      await call('POST', '/v2/images', { body: {} });
      const usage = (await call('GET', '/v2/info/usage')).json['usage'] as Record<string, { usage: number }>;
      assert.deepEqual([usage['image_count_total']?.usage, usage['image_size_total']?.usage], [2, 0]);
      const others = (await call('GET', '/v2/info/usage', { as: OTHER })).json['usage'] as Record<string, { usage: number }>;
      assert.equal(others['image_count_total']?.usage, 0);
    }));

  test('delete: protected refused; schemas served', () =>
    withRoutes(async (call) => {
      const id = String((await call('POST', '/v2/images', { body: { protected: true } })).json['id']);
      const refused = await call('DELETE', `/v2/images/${id}`);
      assert.deepEqual([refused.status, refused.json['message']], [403, `Image ${id} is protected and cannot be deleted.`]);
      assert.equal((await call('DELETE', `/v2/images/${id}`, { as: OTHER })).status, 404);
      const image = (await call('GET', '/v2/schemas/image')).json;
      assert.deepEqual(image['additionalProperties'], { type: 'string' });
      assert.deepEqual((image['properties'] as Record<string, { type: unknown }>)['size']?.type, ['null', 'integer']);
      assert.equal(((await call('GET', '/v2/schemas/images')).json['properties'] as Record<string, unknown>)['images'] !== undefined, true);
      assert.equal((await call('GET', '/v2/schemas/member')).json['name'], 'member');
      assert.equal((await call('GET', '/v2/schemas/members')).json['name'], 'members');
    }));
});
