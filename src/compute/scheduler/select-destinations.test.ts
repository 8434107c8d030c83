import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { configureLogging } from '../../common/logging/logger.js';
import { claimFirst } from './claims.js';
import { HostStateCache, type NodeReport } from './host-state.js';
import { NoValidHost } from './no-valid-host.js';
import type { ServerGroupPolicy, ServerGroupSpec } from './request-spec.js';
import { resourcesFor } from './resources.js';
import { FilterScheduler } from './select-destinations.js';
import { flavor, nodeReport, requestSpec } from '../testing/scheduler-fixtures.js';

const lines: string[] = [];
configureLogging({ debug: true, sink: (line) => lines.push(line) });
beforeEach(() => {
  lines.length = 0;
});

/** Hosts h0..h(n-1); h0 has the least free RAM, so the RAM weigher prefers the last. */
function cluster(n: number, each: (i: number) => Partial<NodeReport> = () => ({})): HostStateCache {
  const cache = new HostStateCache();
  for (let i = 0; i < n; i += 1) cache.upsertNode(nodeReport(`h${i}`, { memoryMbUsed: (n - i) * 100, ...each(i) }));
  return cache;
}

function group(policy: ServerGroupPolicy, overrides: Partial<ServerGroupSpec> = {}): ServerGroupSpec {
  return { uuid: 'g-1', policy, rules: {}, hosts: new Set(), members: new Set(), ...overrides };
}

const multi = (n: number) => ({ numInstances: n, instanceUuids: Array.from({ length: n }, (_, i) => `i-${i}`) });

describe('selectDestinations', () => {
  test('picks the best weighed host with max_attempts - 1 alternates, best first', () => {
    const [selection] = new FilterScheduler().selectDestinations(cluster(6), requestSpec());
    assert.equal(selection?.instanceUuid, 'inst-1');
    assert.equal(selection?.destination.host, 'h5');
    assert.deepEqual(selection?.alternates.map((d) => d.host), ['h4', 'h3']);
    assert.ok(lines.some((line) => / DEBUG nimbus\.compute\.scheduler .*RamFilter: \(start: 6, end: 6\)/.test(line)));
  });

  test('max_attempts = 1 gives no alternates; alternates never repeat a picked host or cross cells', () => {
    const none = new FilterScheduler({ maxAttempts: 1 }).selectDestinations(cluster(4), requestSpec());
    assert.deepEqual(none[0]?.alternates, []);
    const cells = cluster(4, (i) => ({ cellUuid: i === 2 ? 'cell2' : 'cell1' }));
    const [selection] = new FilterScheduler({ maxAttempts: 4 }).selectDestinations(cells, requestSpec());
    assert.equal(selection?.destination.host, 'h3');
    assert.deepEqual(selection?.alternates.map((d) => d.host), ['h1', 'h0']);
  });

  test('each instance of a request sees the earlier ones consumption', () => {
    // Two hosts with room for two 4 GB instances each at ratio 1.5 (16 GB → 24 GB usable, 16 used).
    const cache = cluster(2, () => ({ memoryMbUsed: 16_384 }));
    const spec = requestSpec({ ...multi(4), flavor: flavor({ memoryMb: 4096 }) });
    const picks = new FilterScheduler().selectDestinations(cache, spec);
    const hosts = picks.map((s) => s.destination.host);
    assert.deepEqual([...hosts].sort(), ['h0', 'h0', 'h1', 'h1']);
    assert.deepEqual(picks.map((s) => s.instanceUuid), ['i-0', 'i-1', 'i-2', 'i-3']);
    // Nothing was committed to the cache.
    assert.equal(cache.get('h0')?.memoryMbUsed, 16_384);
    assert.throws(() => new FilterScheduler().selectDestinations(cache, { ...spec, ...multi(5) }), NoValidHost);
  });

  test('alternates of a multi-instance request exclude every picked host', () => {
    // h4 and h3 have the most free RAM and take one 8 GB instance each (spread by the RAM weigher).
    const picks = new FilterScheduler().selectDestinations(cluster(5), requestSpec({ ...multi(2), flavor: flavor({ memoryMb: 8192 }) }));
    assert.deepEqual(picks.map((s) => s.destination.host), ['h4', 'h3']);
    for (const selection of picks) assert.deepEqual(selection.alternates.map((d) => d.host), ['h2', 'h1']);
  });

  test('anti-affinity spreads the instances of one request; with too few hosts, NoValidHost', () => {
    const members = new Set(['i-0', 'i-1', 'i-2']);
    const picks = new FilterScheduler().selectDestinations(cluster(3), requestSpec({ ...multi(3), serverGroup: group('anti-affinity', { members }) }));
    assert.equal(new Set(picks.map((s) => s.destination.host)).size, 3);
    assert.throws(
      () => new FilterScheduler().selectDestinations(cluster(2), requestSpec({ ...multi(3), serverGroup: group('anti-affinity', { members }) })),
      (error: unknown) => error instanceof NoValidHost && error.message === 'No valid host was found. There are not enough hosts available.',
    );
    assert.ok(lines.some((line) => / INFO nimbus\.compute\.scheduler .*Filter ServerGroupAntiAffinityFilter returned 0 hosts/.test(line)));
    const twoPerHost = group('anti-affinity', { members, rules: { maxServerPerHost: 2 } });
    const packed = new FilterScheduler().selectDestinations(cluster(2), requestSpec({ ...multi(3), serverGroup: twoPerHost }));
    assert.equal(packed.length, 3);
  });

  test('affinity keeps every instance of a request on the first pick, or on the group host', () => {
    const picks = new FilterScheduler().selectDestinations(cluster(4), requestSpec({ ...multi(3), serverGroup: group('affinity') }));
    assert.deepEqual(picks.map((s) => s.destination.host), ['h3', 'h3', 'h3']);
    // Alternates for an affinity group could only be the same host, which is excluded.
    assert.deepEqual(picks[0]?.alternates, []);
    const placed = group('affinity', { hosts: new Set(['h1']), members: new Set(['old']) });
    const [selection] = new FilterScheduler().selectDestinations(cluster(4), requestSpec({ serverGroup: placed }));
    assert.equal(selection?.destination.host, 'h1');
  });

  test('an availability zone limits the candidates', () => {
    const cache = cluster(4);
    cache.upsertAggregate({ id: 1, name: 'edge', hosts: ['h0', 'h1'], metadata: { availability_zone: 'edge' } });
    const [selection] = new FilterScheduler().selectDestinations(cache, requestSpec({ availabilityZone: 'edge' }));
    assert.equal(selection?.destination.host, 'h1');
    assert.deepEqual(selection?.alternates.map((d) => d.host), ['h0']);
    assert.throws(() => new FilterScheduler().selectDestinations(cache, requestSpec({ availabilityZone: 'nowhere' })), NoValidHost);
  });

  test('NoValidHost carries per-filter counts and names the filter that emptied the list', () => {
    const cache = cluster(3);
    cache.markService('h2', { disabled: true });
    const huge = requestSpec({ flavor: flavor({ memoryMb: 1_000_000 }) });
    try {
      new FilterScheduler().selectDestinations(cache, huge);
      assert.fail('expected NoValidHost');
    } catch (error) {
      assert.ok(error instanceof NoValidHost);
      assert.equal(error.status, 500);
      const counts = Object.fromEntries(error.filterResults.map((c) => [c.filter, [c.start, c.end]]));
      assert.deepEqual(counts['ComputeFilter'], [3, 2]);
      assert.deepEqual(counts['RamFilter'], [2, 0]);
    }
    assert.ok(lines.some((line) => /Filter RamFilter returned 0 hosts/.test(line)));
    assert.ok(lines.some((line) => /Filtering removed all hosts for the request with instance ID 'inst-1'.*'ComputeFilter: \(start: 3, end: 2\)'/.test(line)));
    assert.ok(lines.some((line) => /RamFilter rejected, for example: h\d does not have 1000000 MB usable ram/.test(line)));
  });

  test('a requested destination is the only candidate, still filtered', () => {
    const cache = cluster(3);
    const [selection] = new FilterScheduler().selectDestinations(cache, requestSpec({ requestedDestination: { host: 'h0' } }));
    assert.equal(selection?.destination.host, 'h0');
    assert.deepEqual(selection?.alternates, []);
    assert.throws(() => new FilterScheduler().selectDestinations(cache, requestSpec({ requestedDestination: { host: 'h0', node: 'other' } })), NoValidHost);
    cache.markService('h1', { up: false });
    assert.throws(() => new FilterScheduler().selectDestinations(cache, requestSpec({ requestedDestination: { host: 'h1' } })), NoValidHost);
  });

  test('a forced host or node (zone:host:node) skips every filter; one that matches no host is NoValidHost', () => {
    const cache = cluster(3);
    cache.markService('h0', { disabled: true });
    cache.upsertAggregate({ id: 1, name: 'edge', hosts: ['h2'], metadata: { availability_zone: 'edge' } });
    const forced = (spec: Parameters<typeof requestSpec>[0]) => new FilterScheduler().selectDestinations(cache, requestSpec({ availabilityZone: 'nova', ...spec }));
    // Disabled, or in another zone than the one asked: still the only candidate.
    assert.equal(forced({ forceHosts: ['H0'] })[0]?.destination.host, 'h0');
    assert.equal(forced({ forceHosts: ['h2'], forceNodes: ['h2'] })[0]?.destination.host, 'h2');
    assert.equal(forced({ forceNodes: ['h1'] })[0]?.destination.host, 'h1');
    assert.deepEqual(forced({ forceHosts: ['h1'] })[0]?.alternates, []);
    const both = forced({ forceHosts: ['h1'], ...multi(2) });
    assert.deepEqual(both.map((selection) => selection.destination.host), ['h1', 'h1']);
    assert.throws(() => forced({ forceHosts: ['nowhere'] }), /No valid host was found/);
    assert.throws(() => forced({ forceHosts: ['h1'], forceNodes: ['h2'] }), NoValidHost);
    assert.ok(lines.some((line) => /No hosts matched due to not matching 'force_hosts'\/'force_nodes' value of 'nowhere'/.test(line)));
  });

  test('host_subset_size picks at random among the best N', () => {
    const cache = cluster(5);
    const seen = new Set<string>();
    for (const roll of [0, 0.3, 0.6, 0.99]) {
      const scheduler = new FilterScheduler({ hostSubsetSize: 3, random: () => roll });
      seen.add(scheduler.selectDestinations(cache, requestSpec())[0]?.destination.host ?? '');
    }
    assert.deepEqual([...seen].sort(), ['h2', 'h3', 'h4']);
  });

  test('a refused claim falls through to an alternate', () => {
    const cache = cluster(3);
    const spec = requestSpec({ flavor: flavor({ memoryMb: 4096 }) });
    const [selection] = new FilterScheduler().selectDestinations(cache, spec);
    assert.ok(selection);
    // Another decision filled the chosen host after this selection was made.
    cache.upsertNode(nodeReport(selection.destination.host, { memoryMbUsed: 24_000 }));
    const attempt = claimFirst(cache, [selection.destination, ...selection.alternates], { instanceUuid: 'inst-1' }, resourcesFor(spec));
    assert.equal(attempt.claim?.host, selection.alternates[0]?.host);
  });

  test('an unknown filter name fails at construction', () => {
    assert.throws(() => new FilterScheduler({ enabledFilters: ['RamFilter', 'RAMFilter'] }), /Unknown scheduler filter 'RAMFilter'/);
  });
});
