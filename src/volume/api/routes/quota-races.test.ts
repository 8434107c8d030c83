import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../../test/support/databases.js';
import { ADMIN, memberOf, withVolumeCloud, type VolumeCloud } from '../../testing/volume-cloud.js';

const ALICE = memberOf('alice-project');
const AT_ONCE = 5;

type Json = Record<string, unknown>;

/** Sets alice's limits. */
async function limit(cloud: VolumeCloud, quotaSet: Json): Promise<void> {
  assert.equal((await cloud.call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: quotaSet }, as: ADMIN })).status, 200);
}

/** Fires the requests at the same instant; how many were accepted (202) and how many refused (413). */
async function race(cloud: VolumeCloud, path: string, bodies: readonly Json[]): Promise<{ accepted: number; refused: number }> {
  const replies = await Promise.all(bodies.map((body) => cloud.call('POST', path, { body, as: ALICE })));
  const statuses = replies.map((reply) => reply.status);
  assert.ok(statuses.every((status) => status === 202 || status === 413), JSON.stringify(replies.map((reply) => reply.json)));
  return { accepted: statuses.filter((status) => status === 202).length, refused: statuses.filter((status) => status === 413).length };
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
        assert.deepEqual(await race(cloud, '/volumes', volumes(AT_ONCE)), { accepted: 2, refused: AT_ONCE - 2 });
        assert.equal(await inUse(cloud, 'volumes'), 2);

        await limit(cloud, { volumes: -1, gigabytes: 2 + 3 });
        assert.deepEqual(await race(cloud, '/volumes', volumes(AT_ONCE)), { accepted: 3, refused: AT_ONCE - 3 });
        assert.equal(await inUse(cloud, 'gigabytes'), 5);

        assert.equal((await cloud.call('POST', '/types', { body: { volume_type: { name: 'fast' } }, as: ADMIN })).status, 200);
        await limit(cloud, { gigabytes: -1, volumes_fast: 1 });
        assert.deepEqual(await race(cloud, '/volumes', volumes(AT_ONCE, { volume_type: 'fast' })), { accepted: 1, refused: AT_ONCE - 1 });
        assert.equal(await inUse(cloud, 'volumes_fast'), 1);

        const source = await cloud.availableVolume({ size: 1 }, ALICE);
        await limit(cloud, { snapshots: 2 });
        const snapshots = Array.from({ length: AT_ONCE }, () => ({ snapshot: { volume_id: source } }));
        assert.deepEqual(await race(cloud, '/snapshots', snapshots), { accepted: 2, refused: AT_ONCE - 2 });
        assert.equal(await inUse(cloud, 'snapshots'), 2);

        // Each backup of its own volume: two of one volume are refused by its status, not by quota.
        const sources: string[] = [];
        for (let i = 0; i < AT_ONCE; i += 1) sources.push(await cloud.availableVolume({ size: 1 }, ALICE));
        await limit(cloud, { backups: 2 });
        assert.deepEqual(await race(cloud, '/backups', sources.map((volumeId) => ({ backup: { volume_id: volumeId } }))), { accepted: 2, refused: AT_ONCE - 2 });
        assert.equal(await inUse(cloud, 'backups'), 2);
      }));
  });
}
