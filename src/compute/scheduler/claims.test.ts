import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { claim, claimFirst, release } from './claims.js';
import { HostStateCache } from './host-state.js';
import { nodeReport } from '../testing/scheduler-fixtures.js';

const ONE_GB = { vcpus: 1, memoryMb: 1024, diskMb: 0 };

/** A host with room for exactly ten 1 GB instances (RAM at ratio 1.0 is the limit). */
function tenSlotHost(): HostStateCache {
  const cache = new HostStateCache({ allocationRatios: { ram: 1.0 } });
  cache.upsertNode(nodeReport('c1', { memoryMb: 10 * 1024, vcpus: 64 }));
  return cache;
}

describe('claims', () => {
  test('100 concurrent claims for a host with room for 10: exactly 10 succeed', async () => {
    const cache = tenSlotHost();
    const results = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        await new Promise((resolve) => setImmediate(resolve));
        return claim(cache, 'c1', { instanceUuid: `i-${i}` }, ONE_GB);
      }),
    );
    assert.equal(results.filter((r) => r.claimed).length, 10);
    const refused = results.find((r) => !r.claimed);
    assert.ok(refused && !refused.claimed);
    assert.match(refused.reason, /does not have 1024 MB usable ram, it only has 0/);
    assert.equal(cache.get('c1')?.memoryMbUsed, 10 * 1024);
    assert.equal(cache.get('c1')?.numInstances, 10);
  });

  test('release frees resources exactly once; a stale handle never frees a newer claim', () => {
    const cache = tenSlotHost();
    const first = claim(cache, 'c1', { instanceUuid: 'a' }, ONE_GB);
    assert.ok(first.claimed);
    assert.equal(release(cache, first.claim), true);
    assert.equal(release(cache, first.claim), false);
    assert.equal(cache.get('c1')?.memoryMbUsed, 0);
    assert.equal(cache.get('c1')?.instances.has('a'), false);
    const again = claim(cache, 'c1', { instanceUuid: 'a' }, ONE_GB);
    assert.ok(again.claimed);
    assert.equal(release(cache, first.claim), false);
    assert.equal(cache.get('c1')?.memoryMbUsed, 1024);
  });

  test('one instance cannot hold two instance claims on a host', () => {
    const cache = tenSlotHost();
    assert.ok(claim(cache, 'c1', { instanceUuid: 'a' }, ONE_GB).claimed);
    const twice = claim(cache, 'c1', { instanceUuid: 'a' }, ONE_GB);
    assert.ok(!twice.claimed);
    assert.match(twice.reason, /already holds a claim for instance:a/);
  });

  test('a same-host resize holds the old and the new flavor at once', () => {
    const cache = tenSlotHost();
    const old = claim(cache, 'c1', { instanceUuid: 'a' }, ONE_GB);
    const resized = claim(cache, 'c1', { instanceUuid: 'a', migrationId: 'm-1' }, { ...ONE_GB, memoryMb: 2048 });
    assert.ok(old.claimed && resized.claimed);
    assert.equal(cache.get('c1')?.memoryMbUsed, 3072);
    assert.equal(cache.get('c1')?.numInstances, 1);
    // A report listing the instance absorbs the instance claim, not the migration claim.
    cache.upsertNode(nodeReport('c1', { memoryMb: 10 * 1024, vcpus: 64, memoryMbUsed: 1024, instanceUuids: ['a'] }));
    assert.equal(cache.get('c1')?.memoryMbUsed, 3072);
    assert.equal(release(cache, resized.claim), true);
    assert.equal(cache.get('c1')?.memoryMbUsed, 1024);
    assert.equal(cache.get('c1')?.instances.has('a'), true);
  });

  test('claimFirst falls through to the alternates', () => {
    const cache = tenSlotHost();
    cache.upsertNode(nodeReport('c2'));
    for (let i = 0; i < 10; i += 1) assert.ok(claim(cache, 'c1', { instanceUuid: `fill-${i}` }, ONE_GB).claimed);
    const destinations = [
      { host: 'c1', node: 'c1', cellUuid: 'cell1' },
      { host: 'gone', node: 'gone', cellUuid: 'cell1' },
      { host: 'c2', node: 'c2', cellUuid: 'cell1' },
    ];
    const attempt = claimFirst(cache, destinations, { instanceUuid: 'late' }, ONE_GB);
    assert.equal(attempt.claim?.host, 'c2');
    assert.deepEqual(attempt.refusals.map((r) => r.host), ['c1', 'gone']);
    assert.equal(claimFirst(cache, destinations.slice(0, 2), { instanceUuid: 'later' }, ONE_GB).claim, undefined);
  });
});
