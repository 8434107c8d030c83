import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { claim, release } from './claims.js';
import { HostStateCache } from './host-state.js';
import { nodeReport } from '../testing/scheduler-fixtures.js';

const SMALL = { vcpus: 1, memoryMb: 512, diskMb: 1536 };

describe('HostStateCache', () => {
  test('upsertNode adds, then updates in place', () => {
    const cache = new HostStateCache({ allocationRatios: { ram: 1.0 } });
    const first = cache.upsertNode(nodeReport('c1', { memoryMbUsed: 100, instanceUuids: ['x'] }));
    assert.equal(cache.size, 1);
    assert.equal(first.ramAllocationRatio, 1.0);
    assert.equal(first.cpuAllocationRatio, 16.0);
    assert.equal(first.numInstances, 1);
    const second = cache.upsertNode(nodeReport('c1', { memoryMbUsed: 300, instanceUuids: [], allocationRatios: { cpu: 4 } }));
    assert.equal(second, first);
    assert.equal(cache.get('c1')?.memoryMbUsed, 300);
    assert.equal(cache.get('c1')?.cpuAllocationRatio, 4);
    assert.equal(cache.get('c1')?.numInstances, 0);
  });

  test('service state applies whether it arrives before or after the first report', () => {
    const cache = new HostStateCache();
    cache.markService('c1', { disabled: true, disabledReason: 'rack swap' });
    cache.upsertNode(nodeReport('c1'));
    assert.equal(cache.get('c1')?.serviceDisabled, true);
    assert.equal(cache.get('c1')?.disabledReason, 'rack swap');
    cache.markService('c1', { disabled: false });
    cache.markService('c1', { up: false });
    assert.deepEqual(
      [cache.get('c1')?.serviceDisabled, cache.get('c1')?.disabledReason, cache.get('c1')?.serviceUp],
      [false, null, false],
    );
  });

  test('aggregates and their zones follow membership changes', () => {
    const cache = new HostStateCache({ defaultAvailabilityZone: 'nova' });
    cache.upsertNode(nodeReport('c1'));
    cache.upsertAggregate({ id: 7, name: 'rack', hosts: ['c1', 'c2'], metadata: { availability_zone: 'az1' } });
    cache.upsertNode(nodeReport('c2'));
    assert.deepEqual(cache.get('c1')?.availabilityZones, ['az1']);
    assert.deepEqual(cache.get('c2')?.availabilityZones, ['az1']);
    cache.upsertAggregate({ id: 7, name: 'rack', hosts: ['c2'], metadata: { availability_zone: 'az1' } });
    assert.deepEqual(cache.get('c1')?.availabilityZones, ['nova']);
    assert.deepEqual(cache.get('c1')?.aggregates, []);
    cache.removeAggregate(7);
    assert.deepEqual(cache.get('c2')?.availabilityZones, ['nova']);
  });

  test('removeHost keeps the dense list consistent', () => {
    const cache = new HostStateCache();
    for (const name of ['a', 'b', 'c']) cache.upsertNode(nodeReport(name));
    assert.equal(cache.removeHost('a'), true);
    assert.equal(cache.removeHost('a'), false);
    assert.deepEqual(cache.hosts().map((h) => h.host).sort(), ['b', 'c']);
  });

  test('a claim counts until a report includes its instance, and survives reports that do not', () => {
    const cache = new HostStateCache();
    cache.upsertNode(nodeReport('c1', { memoryMbUsed: 1000 }));
    const result = claim(cache, 'c1', { instanceUuid: 'new' }, SMALL);
    assert.ok(result.claimed);
    assert.equal(cache.get('c1')?.memoryMbUsed, 1512);
    assert.equal(cache.get('c1')?.localGbUsed, 1.5);
    assert.equal(cache.get('c1')?.instances.has('new'), true);
    // A report taken before the spawn does not list the instance: the claim still counts.
    cache.upsertNode(nodeReport('c1', { memoryMbUsed: 1000 }));
    assert.equal(cache.get('c1')?.memoryMbUsed, 1512);
    // Once reported, the report's usage includes it; the claim stops counting.
    cache.upsertNode(nodeReport('c1', { memoryMbUsed: 1512, instanceUuids: ['new'] }));
    assert.equal(cache.get('c1')?.memoryMbUsed, 1512);
    assert.equal(release(cache, result.claim), true);
    assert.equal(cache.get('c1')?.memoryMbUsed, 1512);
    assert.equal(cache.get('c1')?.instances.has('new'), true);
  });
});
