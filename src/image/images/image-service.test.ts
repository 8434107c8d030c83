import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { parseListQuery } from './list-query.js';
import type { ImageRef } from './image.js';
import { ADMIN, memberOf, withImages } from './testing/image-fixture.js';

const OWNER = memberOf('owner-project');
const OTHER = memberOf('other-project');
const FRIEND = memberOf('friend-project');

const names = (images: readonly ImageRef[]) => images.map((image) => image.name);
const query = (text = '') => parseListQuery(new URLSearchParams(text));

for (const dialect of DIALECTS) {
  describe(`image service on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('create: Glance defaults, owner from the caller, extra properties and tags kept', () =>
      withImages(dialect, async ({ images }) => {
        const image = await images.create(OWNER, {
          name: 'cirros',
          disk_format: 'qcow2',
          container_format: 'bare',
          tags: ['a', 'b', 'a'],
          properties: { 'owner_specified.openstack.md5': '', a: 'b' },
        });
        assert.match(image.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.deepEqual(
          { ...image, id: 'x' },
          {
            id: 'x',
            name: 'cirros',
            status: 'queued',
            disk_format: 'qcow2',
            container_format: 'bare',
            size: null,
            virtual_size: null,
            checksum: null,
            os_hash_algo: null,
            os_hash_value: null,
            min_disk: 0,
            min_ram: 0,
            visibility: 'shared',
            protected: false,
            os_hidden: false,
            owner: 'owner-project',
            created_at: '2026-11-24T10:00:00.000Z',
            updated_at: '2026-11-24T10:00:00.000Z',
            tags: ['a', 'b'],
            stores: [],
            properties: { a: 'b', 'owner_specified.openstack.md5': '' },
          },
        );
        await assert.rejects(images.create(OWNER, { id: image.id }), { status: 409 });
        await assert.rejects(images.create(OWNER, { disk_format: 'floppy' }), { status: 400 });
        await assert.rejects(images.create(OWNER, { properties: { deleted: 'x' } }), { status: 403, message: "Attribute 'deleted' is reserved." });
      }));

    test('visibility matrix: owner, other project, admin, and members pending/accepted/rejected', () =>
      withImages(dialect, async ({ images }) => {
        const made: Record<string, ImageRef> = {};
        for (const visibility of ['private', 'shared', 'public', 'community'] as const) {
          made[visibility] = await images.create(OWNER, { name: visibility, visibility });
        }
        const { private: secret, shared } = made as Record<string, ImageRef> & { private: ImageRef; shared: ImageRef };
        const canGet = async (who: typeof OWNER, image: ImageRef) =>
          images.get(who, image.id).then(
            () => true,
            (error: { status?: number }) => {
              assert.equal(error.status, 404, 'invisible images are 404, never 403');
              return false;
            },
          );
        for (const image of Object.values(made)) {
          assert.equal(await canGet(OWNER, image), true);
          assert.equal(await canGet(ADMIN, image), true);
        }
        assert.equal(await canGet(OTHER, secret), false);
        assert.equal(await canGet(OTHER, shared), false);
        assert.equal(await canGet(OTHER, made['public'] as ImageRef), true);
        assert.equal(await canGet(OTHER, made['community'] as ImageRef), true);

        assert.deepEqual(names((await images.list(OWNER, query('sort=name:asc'))).images), ['community', 'private', 'public', 'shared']);
        assert.deepEqual(names((await images.list(OTHER, query('sort=name:asc'))).images), ['public'], 'others see no community images by default');
        assert.deepEqual(names((await images.list(OTHER, query('visibility=community'))).images), ['community']);
        assert.deepEqual(names((await images.list(OTHER, query('visibility=all&sort=name:asc'))).images), ['community', 'public']);
        assert.deepEqual(names((await images.list(ADMIN, query('visibility=all&sort=name:asc'))).images), ['community', 'private', 'public', 'shared']);

        await images.members.add(OWNER, shared.id, 'friend-project');
        assert.equal(await canGet(FRIEND, shared), true, 'a pending member may look');
        assert.equal(await canGet(FRIEND, secret), false);
        const friendList = async (filter = '') => names((await images.list(FRIEND, query(`sort=name:asc${filter}`))).images);
        assert.deepEqual(await friendList(), ['public'], 'pending: not listed by default');
        assert.deepEqual(await friendList('&member_status=pending'), ['public', 'shared']);
        await images.members.setStatus(FRIEND, shared.id, 'friend-project', 'accepted');
        assert.deepEqual(await friendList(), ['public', 'shared']);
        assert.deepEqual(await friendList('&visibility=shared'), ['shared']);
        await images.members.setStatus(FRIEND, shared.id, 'friend-project', 'rejected');
        assert.deepEqual(await friendList(), ['public']);
        assert.equal(await canGet(FRIEND, shared), true, 'a rejected member can still look it up');
        assert.equal(await canGet(OTHER, shared), false);

        assert.deepEqual((await images.members.list(OWNER, shared.id)).map((member) => member.member_id), ['friend-project']);
        await assert.rejects(images.members.add(OWNER, shared.id, 'friend-project'), { status: 409 });
        await assert.rejects(images.members.add(OWNER, made['public']?.id ?? '', 'x'), { status: 403, message: 'Only shared images have members.' });
        await images.members.remove(OWNER, shared.id, 'friend-project');
        assert.equal(await canGet(FRIEND, shared), false);
      }));

    test('list filters: name, status, owner, tag, property, size range, times, os_hidden', () =>
      withImages(dialect, async ({ images, advance }) => {
        await images.create(OWNER, { name: 'alpha', tags: ['x', 'y'], properties: { os_distro: 'ubuntu' }, visibility: 'private' });
        advance(60_000);
        await images.create(OWNER, { name: 'beta', tags: ['x'], properties: { os_distro: 'debian' }, min_ram: 512 });
        advance(60_000);
        await images.create(OWNER, { name: 'gamma', os_hidden: true });
        const list = async (text: string) => names((await images.list(OWNER, query(text))).images);

        assert.deepEqual(await list(''), ['beta', 'alpha'], 'newest first, hidden images left out');
        assert.deepEqual(await list('os_hidden=true'), ['gamma']);
        assert.deepEqual(await list('name=alpha'), ['alpha']);
        assert.deepEqual(await list('name=in:alpha,beta&sort=name:asc'), ['alpha', 'beta']);
        assert.deepEqual(await list('tag=x&tag=y'), ['alpha']);
        assert.deepEqual(await list('tag=x&sort=name'), ['beta', 'alpha']);
        assert.deepEqual(await list('os_distro=debian'), ['beta']);
        assert.deepEqual(await list('owner=other-project'), []);
        assert.deepEqual(await list('visibility=private'), ['alpha']);
        assert.deepEqual(await list('min_ram=512'), ['beta']);
        assert.deepEqual(await list('created_at=gt:2026-11-24T10:00:30Z'), ['beta']);
        assert.deepEqual(await list('created_at=lte:2026-11-24T10:00:00Z'), ['alpha']);
        assert.deepEqual(await list('updated_at=neq:2026-11-24T10:01:00Z&sort_key=name&sort_dir=asc'), ['alpha']);
        assert.deepEqual(await list('status=queued&sort=name:asc'), ['alpha', 'beta']);
        assert.deepEqual(await list('size_min=1'), []);
        assert.throws(() => query('name=like:x'), { status: 400 });
        assert.throws(() => query('created_at=gt:yesterday'), { status: 400 });
        assert.throws(() => query('sort=flavor'), { status: 400 });
        assert.throws(() => query('sort=name&sort_key=name'), { status: 400 });
        assert.throws(() => query('limit=-1'), { status: 400 });
        assert.throws(() => query('member_status=maybe'), { status: 400 });
      }));

    test('sort and paging: markers walk every image once, in the listing order, across equal keys', () =>
      withImages(dialect, async ({ images, advance }) => {
        // Two pairs share a timestamp, so ties fall through to created_at and then id.
        for (const [index, name] of ['c', 'a', 'b', null, 'a', 'd', 'b'].entries()) {
          await images.create(OWNER, { name });
          if (index % 3 !== 0) advance(1000);
        }
        const walk = async (text: string) => {
          const seen: string[] = [];
          let marker: string | undefined;
          for (let pages = 0; pages < 10; pages += 1) {
            const page = await images.list(OWNER, query(`${text}&limit=2${marker === undefined ? '' : `&marker=${marker}`}`));
            seen.push(...page.images.map((image) => image.id));
            if (page.nextMarker === undefined) return seen;
            marker = page.nextMarker;
          }
          throw new Error('paging did not end');
        };
        for (const sort of ['sort=name:asc', 'sort=name:desc,created_at:asc', 'sort_key=created_at&sort_dir=asc', 'sort=status,size:asc']) {
          const whole = (await images.list(OWNER, query(`${sort}&limit=100`))).images;
          assert.deepEqual(await walk(sort), whole.map((image) => image.id), sort);
          if (sort === 'sort=name:asc') assert.deepEqual(names(whole), [null, 'a', 'a', 'b', 'b', 'c', 'd']);
          if (sort === 'sort=name:desc,created_at:asc') assert.deepEqual(names(whole), ['d', 'c', 'b', 'b', 'a', 'a', null]);
        }
        await assert.rejects(images.list(OTHER, query('marker=00000000-0000-0000-0000-000000000000')), { status: 400 });
        const all = await images.list(OWNER, query('limit=7'));
        assert.equal(all.images.length, 7);
        assert.ok(all.nextMarker !== undefined, 'a full page offers a next page, as Glance does');
        assert.equal((await images.list(OWNER, query(`limit=7&marker=${all.nextMarker}`))).images.length, 0);
      }));

    test('update, tags, deactivate and delete', () =>
      withImages(dialect, async ({ images }) => {
        const image = await images.create(OWNER, { name: 'img', properties: { a: 'b' } });
        const updated = await images.update(OWNER, image.id, [
          { op: 'replace', path: ['name'], value: 'renamed' },
          { op: 'add', path: ['c'], value: 'd' },
          { op: 'remove', path: ['a'] },
          { op: 'add', path: ['tags', '-'], value: 't1' },
          { op: 'replace', path: ['protected'], value: true },
        ]);
        assert.equal(updated.name, 'renamed');
        assert.deepEqual(updated.properties, { c: 'd' });
        assert.deepEqual(updated.tags, ['t1']);
        await assert.rejects(images.update(OWNER, image.id, [{ op: 'remove', path: ['zzz'] }]), { status: 409 });
        await assert.rejects(images.update(OWNER, image.id, [{ op: 'remove', path: ['name'] }]), { status: 403 });
        await images.addTag(OWNER, image.id, 't2');
        await images.addTag(OWNER, image.id, 't2');
        await images.deleteTag(OWNER, image.id, 't1');
        assert.deepEqual((await images.get(OWNER, image.id)).tags, ['t2']);
        await assert.rejects(images.deleteTag(OWNER, image.id, 't1'), { status: 404 });

        await assert.rejects(images.deactivate(OWNER, image.id), { status: 403, message: "Not allowed to deactivate image in status 'queued'" });
        await assert.rejects(images.delete(OWNER, image.id), { status: 403, message: `Image ${image.id} is protected and cannot be deleted.` });
        await images.update(OWNER, image.id, [{ op: 'replace', path: ['protected'], value: false }]);
        await images.delete(OWNER, image.id);
        await assert.rejects(images.get(ADMIN, image.id), { status: 404 });
      }));

    test('image_count_total: the next image is 413, other projects unaffected', () =>
      withImages(
        dialect,
        async ({ images }) => {
          await images.create(OWNER, { name: 'one' });
          await images.create(OWNER, { name: 'two' });
          await assert.rejects(images.create(OWNER, { name: 'three' }), { status: 413, message: /image_count_total is over limit of 2/ });
          await images.create(OTHER, { name: 'elsewhere' });
        },
        { limits: { countTotal: 2 } },
      ));

    test('usage: the project\'s own images against its limits, MiB as Glance counts, -1 where unlimited', () =>
      withImages(
        dialect,
        async ({ images }) => {
          await images.create(OWNER, { name: 'one' });
          await images.create(OTHER, { name: 'elsewhere' });
          assert.deepEqual(await images.usage(OWNER), {
            image_size_total: { usage: 0, limit: 3 },
            image_stage_total: { usage: 0, limit: -1 },
            image_count_total: { usage: 1, limit: -1 },
            image_count_uploading: { usage: 0, limit: -1 },
          });
          assert.deepEqual(await images.usage({ ...OWNER, projectId: undefined }), {});
        },
        { limits: { sizeTotal: 3 * 1024 * 1024 } },
      ));
  });
}
