import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../../test/support/databases.js';
import type { RequestContext } from '../../../common/context/request-context.js';
import { ADMIN, memberOf, withVolumeCloud, type VolumeCloud } from '../../testing/volume-cloud.js';

const ALICE = memberOf('alice-project');
const BOB = memberOf('bob-project');
const AT_ONCE = 5;

type Json = Record<string, unknown>;

/** Sets alice's limits. */
async function limit(cloud: VolumeCloud, quotaSet: Json): Promise<void> {
  assert.equal((await cloud.call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: quotaSet }, as: ADMIN })).status, 200);
}

/** One POST as alice: its path and body. */
interface Post {
  readonly path: string;
  readonly body: Json;
}

const postsTo = (path: string, bodies: readonly Json[]): Post[] => bodies.map((body) => ({ path, body }));

/** Fires the requests at the same instant; how many were accepted (202) and how many refused (413). */
async function race(cloud: VolumeCloud, posts: readonly Post[]): Promise<{ accepted: number; refused: number }> {
  const replies = await Promise.all(posts.map(({ path, body }) => cloud.call('POST', path, { body, as: ALICE })));
  const statuses = replies.map((reply) => reply.status);
  assert.ok(statuses.every((status) => status === 202 || status === 413), JSON.stringify(replies.map((reply) => reply.json)));
  return { accepted: statuses.filter((status) => status === 202).length, refused: statuses.filter((status) => status === 413).length };
}

/** `count` available volumes of 1 GB, each made as `as`. */
async function availableVolumes(cloud: VolumeCloud, count: number, as: RequestContext): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) ids.push(await cloud.availableVolume({ size: 1 }, as));
  return ids;
}

/** The volume once its extend or retype has ended. */
async function settled(cloud: VolumeCloud, id: string): Promise<Json> {
  return (await cloud.settle(`/volumes/${id}`, ALICE)).json['volume'] as Json;
}

/** alice's in_use of a resource, as os-quota-sets shows it. */
async function inUse(cloud: VolumeCloud, resource: string): Promise<unknown> {
  const reply = await cloud.call('GET', '/os-quota-sets/alice-project?usage=True', { as: ADMIN });
  return ((reply.json['quota_set'] as Json)[resource] as Json)['in_use'];
}

const volumes = (count: number, volume: Json = {}): Json[] => Array.from({ length: count }, () => ({ volume: { size: 1, ...volume } }));

for (const dialect of DIALECTS) {
  describe(`quota checks of concurrent creates on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test(`${AT_ONCE} creates at once against a limit: exactly the limit is made, the rest are 413, for volumes, gigabytes, a type's volumes, snapshots and backups`, () =>
      withVolumeCloud(dialect, async (cloud) => {
        await limit(cloud, { volumes: 2 });
        assert.deepEqual(await race(cloud, postsTo('/volumes', volumes(AT_ONCE))), { accepted: 2, refused: AT_ONCE - 2 });
        assert.equal(await inUse(cloud, 'volumes'), 2);

        await limit(cloud, { volumes: -1, gigabytes: 2 + 3 });
        assert.deepEqual(await race(cloud, postsTo('/volumes', volumes(AT_ONCE))), { accepted: 3, refused: AT_ONCE - 3 });
        assert.equal(await inUse(cloud, 'gigabytes'), 5);

        assert.equal((await cloud.call('POST', '/types', { body: { volume_type: { name: 'fast' } }, as: ADMIN })).status, 200);
        await limit(cloud, { gigabytes: -1, volumes_fast: 1 });
        assert.deepEqual(await race(cloud, postsTo('/volumes', volumes(AT_ONCE, { volume_type: 'fast' }))), { accepted: 1, refused: AT_ONCE - 1 });
        assert.equal(await inUse(cloud, 'volumes_fast'), 1);

        const source = await cloud.availableVolume({ size: 1 }, ALICE);
        await limit(cloud, { snapshots: 2 });
        const snapshots = Array.from({ length: AT_ONCE }, () => ({ snapshot: { volume_id: source } }));
        assert.deepEqual(await race(cloud, postsTo('/snapshots', snapshots)), { accepted: 2, refused: AT_ONCE - 2 });
        assert.equal(await inUse(cloud, 'snapshots'), 2);

        // Each backup of its own volume: two of one volume are refused by its status, not by quota.
        const sources: string[] = [];
        for (let i = 0; i < AT_ONCE; i += 1) sources.push(await cloud.availableVolume({ size: 1 }, ALICE));
        await limit(cloud, { backups: 2 });
        assert.deepEqual(await race(cloud, postsTo('/backups', sources.map((volumeId) => ({ backup: { volume_id: volumeId } })))), { accepted: 2, refused: AT_ONCE - 2 });
        assert.equal(await inUse(cloud, 'backups'), 2);
      }));

    test(`${AT_ONCE} extends, retypes or transfer accepts at once: each reserves at the request, so exactly the limit passes; a failed extend gives its gigabytes back`, () =>
      withVolumeCloud(dialect, async (cloud) => {
        const mine = await availableVolumes(cloud, AT_ONCE, ALICE);
        await limit(cloud, { gigabytes: AT_ONCE + 2 });
        const grows = mine.map((id) => ({ path: `/volumes/${id}/action`, body: { 'os-extend': { new_size: 2 } } }));
        assert.deepEqual(await race(cloud, grows), { accepted: 2, refused: AT_ONCE - 2 });
        const sizes = await Promise.all(mine.map(async (id) => (await settled(cloud, id))['size']));
        assert.deepEqual(sizes.filter((size) => size === 2).length, 2);
        assert.equal(await inUse(cloud, 'gigabytes'), AT_ONCE + 2);

        // The scheduler refuses an extend on a frozen backend: the volume stays, and so does the room.
        const [first, second] = mine.filter((_, i) => sizes[i] === 1);
        await limit(cloud, { gigabytes: AT_ONCE + 3 });
        assert.equal((await cloud.call('PUT', '/os-services/freeze', { body: { host: 'test-host' }, as: ADMIN })).status, 200);
        assert.deepEqual(await race(cloud, [{ path: `/volumes/${String(first)}/action`, body: { 'os-extend': { new_size: 2 } } }]), { accepted: 1, refused: 0 });
        assert.deepEqual([(await settled(cloud, String(first)))['status'], (await settled(cloud, String(first)))['size']], ['available', 1]);
        assert.equal((await cloud.call('PUT', '/os-services/thaw', { body: { host: 'test-host' }, as: ADMIN })).status, 200);
        assert.deepEqual(await race(cloud, [{ path: `/volumes/${String(second)}/action`, body: { 'os-extend': { new_size: 2 } } }]), { accepted: 1, refused: 0 });
        assert.equal((await settled(cloud, String(second)))['size'], 2);

        assert.equal((await cloud.call('POST', '/types', { body: { volume_type: { name: 'gold' } }, as: ADMIN })).status, 200);
        await limit(cloud, { gigabytes: -1, volumes_gold: 2 });
        const retypes = mine.map((id) => ({ path: `/volumes/${id}/action`, body: { 'os-retype': { new_type: 'gold' } } }));
        assert.deepEqual(await race(cloud, retypes), { accepted: 2, refused: AT_ONCE - 2 });
        const types = await Promise.all(mine.map(async (id) => (await settled(cloud, id))['volume_type']));
        assert.equal(types.filter((type) => type === 'gold').length, 2);
        assert.equal(await inUse(cloud, 'volumes_gold'), 2);

        const offered = await Promise.all(
          (await availableVolumes(cloud, AT_ONCE, BOB)).map(async (volumeId) => {
            const reply = await cloud.call('POST', '/os-volume-transfer', { body: { transfer: { volume_id: volumeId } }, as: BOB });
            assert.equal(reply.status, 202, reply.text);
            return reply.json['transfer'] as Json;
          }),
        );
        await limit(cloud, { volumes: AT_ONCE + 2 });
        const accepts = offered.map((transfer) => ({ path: `/os-volume-transfer/${String(transfer['id'])}/accept`, body: { accept: { auth_key: transfer['auth_key'] } } }));
        assert.deepEqual(await race(cloud, accepts), { accepted: 2, refused: AT_ONCE - 2 });
        assert.equal(await inUse(cloud, 'volumes'), AT_ONCE + 2);
      }));
  });
}
