import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HostStateCache } from '../host-state.js';
import { FilterScheduler } from '../select-destinations.js';
import { nodeReport, requestSpec } from '../../testing/scheduler-fixtures.js';
import { resolveWeighers, WEIGHERS } from './index.js';
import { normalizeInPlace } from '../../../common/scheduling/normalize-weights.js';

function cacheOf(memoryUsed: Record<string, number>): HostStateCache {
  const cache = new HostStateCache();
  for (const [host, used] of Object.entries(memoryUsed)) cache.upsertNode(nodeReport(host, { memoryMbUsed: used }));
  return cache;
}

function bestHost(cache: HostStateCache, weightMultipliers: Record<string, number>, weighers = ['RAMWeigher']): string {
  const scheduler = new FilterScheduler({ weighers, weightMultipliers, maxAttempts: 1 });
  return scheduler.selectDestinations(cache, requestSpec())[0]?.destination.host ?? '';
}

describe('normalisation', () => {
  test('scales to 0..1 between min and max, all-equal to 0', () => {
    const weights = Float64Array.from([10, 20, 30, 99]);
    normalizeInPlace(weights, 3);
    assert.deepEqual([...weights], [0, 0.5, 1, 99]);
    const flat = Float64Array.from([5, 5]);
    normalizeInPlace(flat, 2);
    assert.deepEqual([...flat], [0, 0]);
  });
});

describe('weighers', () => {
  const cache = cacheOf({ a: 8000, b: 0, c: 4000 });
  test('RAMWeigher spreads with a positive multiplier and stacks with a negative one', () => {
    assert.equal(bestHost(cache, {}), 'b');
    assert.equal(bestHost(cache, { RAMWeigher: -1 }), 'a');
  });

  test('CPUWeigher and DiskWeigher weigh free vCPUs and free disk', () => {
    const mixed = new HostStateCache();
    mixed.upsertNode(nodeReport('busy-cpu', { vcpusUsed: 100, localGbUsed: 0 }));
    mixed.upsertNode(nodeReport('busy-disk', { vcpusUsed: 0, localGbUsed: 80 }));
    assert.equal(bestHost(mixed, {}, ['CPUWeigher']), 'busy-disk');
    assert.equal(bestHost(mixed, {}, ['DiskWeigher']), 'busy-cpu');
    // Normalised, so the multipliers alone decide which concern wins.
    assert.equal(bestHost(mixed, { CPUWeigher: 1, DiskWeigher: 2 }, ['CPUWeigher', 'DiskWeigher']), 'busy-cpu');
    assert.equal(bestHost(mixed, { CPUWeigher: 2, DiskWeigher: 1 }, ['CPUWeigher', 'DiskWeigher']), 'busy-disk');
  });

  test('soft affinity weighers count group members on the host', () => {
    const hosts = new HostStateCache();
    hosts.upsertNode(nodeReport('empty'));
    hosts.upsertNode(nodeReport('with-members', { instanceUuids: ['m1', 'm2'] }));
    const spec = (policy: 'soft-affinity' | 'soft-anti-affinity') =>
      requestSpec({ serverGroup: { uuid: 'g', policy, rules: {}, hosts: new Set(['with-members']), members: new Set(['m1', 'm2']) } });
    const host = hosts.get('with-members');
    assert.ok(host);
    assert.equal(WEIGHERS.get('ServerGroupSoftAffinityWeigher')?.weigh(host, spec('soft-affinity')), 2);
    assert.equal(WEIGHERS.get('ServerGroupSoftAntiAffinityWeigher')?.weigh(host, spec('soft-anti-affinity')), -2);
    assert.equal(WEIGHERS.get('ServerGroupSoftAffinityWeigher')?.weigh(host, spec('soft-anti-affinity')), 0);
    const pick = (policy: 'soft-affinity' | 'soft-anti-affinity') =>
      new FilterScheduler({ weighers: ['ServerGroupSoftAffinityWeigher', 'ServerGroupSoftAntiAffinityWeigher'] })
        .selectDestinations(hosts, spec(policy))[0]?.destination.host;
    assert.equal(pick('soft-affinity'), 'with-members');
    assert.equal(pick('soft-anti-affinity'), 'empty');
  });

  test('registry applies defaults and refuses unknown names', () => {
    assert.deepEqual(
      resolveWeighers(['RAMWeigher', 'CPUWeigher'], { CPUWeigher: -2 }).map((w) => [w.weigher.name, w.multiplier]),
      [['RAMWeigher', 1], ['CPUWeigher', -2]],
    );
    assert.throws(() => resolveWeighers(['RamWeigher']), /Unknown scheduler weigher 'RamWeigher'/);
    assert.throws(() => resolveWeighers([], { Nope: 1 }), /Unknown scheduler weigher 'Nope'/);
  });
});
