import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HostStateCache, type Aggregate, type HostState, type NodeReport } from '../host-state.js';
import type { RequestSpec, ServerGroupSpec } from '../request-spec.js';
import { flavor, nodeReport, requestSpec } from '../../testing/scheduler-fixtures.js';
import { matchesExtraSpec } from '../../../common/scheduling/extra-specs-ops.js';
import type { FilterResult } from './filter.js';
import { FILTERS, resolveFilters } from './index.js';

function hostWith(report: Partial<NodeReport> = {}, setup?: (cache: HostStateCache) => void): Readonly<HostState> {
  const cache = new HostStateCache();
  cache.upsertNode(nodeReport('compute-1', report));
  setup?.(cache);
  const host = cache.get('compute-1');
  assert.ok(host);
  return host;
}

function run(name: string, host: Readonly<HostState>, spec: RequestSpec): FilterResult {
  const filter = FILTERS.get(name);
  assert.ok(filter, name);
  const before = JSON.stringify({ host: { ...host, instances: [...host.instances] }, spec });
  const result = filter.hostPasses(host, spec);
  assert.equal(JSON.stringify({ host: { ...host, instances: [...host.instances] }, spec }), before, `${name} mutated its input`);
  return result;
}

function assertRejects(result: FilterResult, pattern: RegExp): void {
  assert.equal(result.pass, false);
  if (!result.pass) assert.match(result.reason, pattern);
}

function group(overrides: Partial<ServerGroupSpec>): ServerGroupSpec {
  return { uuid: 'g-1', policy: 'anti-affinity', rules: {}, hosts: new Set(), members: new Set(), ...overrides };
}

describe('resource filters', () => {
  test('RamFilter applies ram_allocation_ratio', () => {
    const host = hostWith({ memoryMb: 1000, memoryMbUsed: 900 }); // 1500 usable at 1.5
    assert.equal(run('RamFilter', host, requestSpec({ flavor: flavor({ memoryMb: 600 }) })).pass, true);
    assertRejects(run('RamFilter', host, requestSpec({ flavor: flavor({ memoryMb: 601 }) })), /does not have 601 MB usable ram, it only has 600/);
  });

  test('CoreFilter overcommits against others, never against itself', () => {
    const host = hostWith({ vcpus: 4, vcpusUsed: 60, allocationRatios: { cpu: 16 } });
    assert.equal(run('CoreFilter', host, requestSpec({ flavor: flavor({ vcpus: 4 }) })).pass, true);
    assertRejects(run('CoreFilter', host, requestSpec({ flavor: flavor({ vcpus: 5 }) })), /4 physical vcpus/);
    const full = hostWith({ vcpus: 4, vcpusUsed: 63 });
    assertRejects(run('CoreFilter', full, requestSpec({ flavor: flavor({ vcpus: 2 }) })), /only has 1 usable vcpus/);
  });

  test('DiskFilter counts root, ephemeral and swap, but not a volume root', () => {
    const host = hostWith({ localGb: 20, localGbUsed: 9 });
    const big = flavor({ rootGb: 10, ephemeralGb: 1, swapMb: 1 });
    assertRejects(run('DiskFilter', host, requestSpec({ flavor: big })), /does not have 11265 MB usable disk/);
    assert.equal(run('DiskFilter', host, requestSpec({ flavor: big, isBootFromVolume: true })).pass, true);
    assert.equal(run('DiskFilter', host, requestSpec({ flavor: flavor({ rootGb: 11 }) })).pass, true);
  });
});

describe('ComputeFilter', () => {
  test('passes an up, enabled service', () => {
    assert.equal(run('ComputeFilter', hostWith(), requestSpec()).pass, true);
  });
  test('rejects disabled, forced-down and silent services', () => {
    const disabled = hostWith({}, (c) => c.markService('compute-1', { disabled: true, disabledReason: 'maintenance' }));
    assertRejects(run('ComputeFilter', disabled, requestSpec()), /is disabled, reason: maintenance/);
    const forced = hostWith({}, (c) => c.markService('compute-1', { forcedDown: true }));
    assertRejects(run('ComputeFilter', forced, requestSpec()), /forced down/);
    const down = hostWith({}, (c) => c.markService('compute-1', { up: false }));
    assertRejects(run('ComputeFilter', down, requestSpec()), /not been heard from/);
  });
});

describe('RetryFilter', () => {
  test('rejects hosts already tried', () => {
    const host = hostWith();
    assert.equal(run('RetryFilter', host, requestSpec({ retry: { numAttempts: 1, hosts: ['compute-2'] } })).pass, true);
    assertRejects(run('RetryFilter', host, requestSpec({ retry: { numAttempts: 2, hosts: ['compute-1'] } })), /Previously tried/);
  });
});

describe('AvailabilityZoneFilter', () => {
  const zoned: Aggregate = { id: 1, name: 'agg', hosts: ['compute-1'], metadata: { availability_zone: 'az1' } };
  test('matches the zone of an aggregate', () => {
    const host = hostWith({}, (c) => c.upsertAggregate(zoned));
    assert.equal(run('AvailabilityZoneFilter', host, requestSpec({ availabilityZone: 'az1' })).pass, true);
    assert.equal(run('AvailabilityZoneFilter', host, requestSpec()).pass, true);
    assertRejects(run('AvailabilityZoneFilter', host, requestSpec({ availabilityZone: 'nova' })), /has AZs: az1/);
  });
  test('hosts in no zoned aggregate are in the default zone', () => {
    assert.equal(run('AvailabilityZoneFilter', hostWith(), requestSpec({ availabilityZone: 'nova' })).pass, true);
    assertRejects(run('AvailabilityZoneFilter', hostWith(), requestSpec({ availabilityZone: 'az1' })), /has AZs: nova/);
  });
});

describe('ComputeCapabilitiesFilter', () => {
  const host = hostWith({ capabilities: { cpu_info: '{"arch":"x86_64","features":["avx","sse"]}', gpus: '2' } });
  const spec = (extraSpecs: Record<string, string>) => requestSpec({ flavor: flavor({ extraSpecs }) });
  test('matches capabilities with operators, host attributes and JSON stats', () => {
    assert.equal(run('ComputeCapabilitiesFilter', host, spec({ 'capabilities:hypervisor_type': 's== QEMU' })).pass, true);
    assert.equal(run('ComputeCapabilitiesFilter', host, spec({ 'capabilities:gpus': '>= 2' })).pass, true);
    assert.equal(run('ComputeCapabilitiesFilter', host, spec({ 'capabilities:cpu_info:arch': 'x86_64' })).pass, true);
    assert.equal(run('ComputeCapabilitiesFilter', host, spec({ 'capabilities:cpu_info:features': '<in> avx' })).pass, true);
    assert.equal(run('ComputeCapabilitiesFilter', host, spec({ 'hw:cpu_policy': 'dedicated', other: 'x' })).pass, true);
  });
  test('rejects a mismatch or a missing capability with the reason', () => {
    assertRejects(run('ComputeCapabilitiesFilter', host, spec({ 'capabilities:gpus': '>= 3' })), /'>= 3' does not match '2'/);
    assertRejects(run('ComputeCapabilitiesFilter', host, spec({ 'capabilities:fpga': '1' })), /no capabilities/);
    assertRejects(run('ComputeCapabilitiesFilter', host, spec({ hypervisor_type: 's== xen' })), /does not match 'QEMU'/);
  });
});

describe('extra spec operators', () => {
  test("follow Nova's extra_specs_ops", () => {
    assert.equal(matchesExtraSpec('4', '= 2'), true);
    assert.equal(matchesExtraSpec('1', '= 2'), false);
    assert.equal(matchesExtraSpec('2', '== 2.0'), true);
    assert.equal(matchesExtraSpec('3', '!= 2'), true);
    assert.equal(matchesExtraSpec('2', '<= 1'), false);
    assert.equal(matchesExtraSpec('abc', 's< abd'), true);
    assert.equal(matchesExtraSpec('abc', 's!= abc'), false);
    assert.equal(matchesExtraSpec('a b c', '<all-in> a c'), true);
    assert.equal(matchesExtraSpec('a b', '<all-in> a z'), false);
    assert.equal(matchesExtraSpec('v2', '<or> v1 <or> v2'), true);
    assert.equal(matchesExtraSpec('v3', '<or> v1 <or> v2'), false);
    assert.equal(matchesExtraSpec('plain', 'plain'), true);
    assert.equal(matchesExtraSpec('2', '>='), false);
  });
});

describe('ImagePropertiesFilter', () => {
  const host = hostWith({ supportedInstances: [['x86_64', 'qemu', 'hvm']], hypervisorVersion: 8_002_000 });
  const spec = (properties: Record<string, string>) => requestSpec({ image: { id: 'i', properties } });
  test('passes an image without compute properties or with matching ones', () => {
    assert.equal(run('ImagePropertiesFilter', host, spec({})).pass, true);
    assert.equal(run('ImagePropertiesFilter', host, spec({ hw_architecture: 'amd64', img_hv_type: 'QEMU' })).pass, true);
    assert.equal(run('ImagePropertiesFilter', host, spec({ vm_mode: 'hv', img_hv_requested_version: '>=8.0, <9' })).pass, true);
  });
  test('rejects another architecture, hypervisor or version', () => {
    assertRejects(run('ImagePropertiesFilter', host, spec({ architecture: 'aarch64' })), /supports none/);
    assertRejects(run('ImagePropertiesFilter', host, spec({ hypervisor_type: 'xen' })), /supports none/);
    assertRejects(
      run('ImagePropertiesFilter', host, spec({ hypervisor_type: 'qemu', img_hv_requested_version: '>=9.0' })),
      /8\.2\.0 does not satisfy >=9\.0/,
    );
    const bare = hostWith({ supportedInstances: [] });
    assertRejects(run('ImagePropertiesFilter', bare, spec({ hw_architecture: 'x86_64' })), /no supported_instances/);
  });
});

describe('server group filters', () => {
  const host = hostWith({ instanceUuids: ['m-1', 'other'] });
  test('ServerGroupAffinityFilter keeps members on the group host', () => {
    const affinity = (hosts: string[]) => requestSpec({ serverGroup: group({ policy: 'affinity', hosts: new Set(hosts) }) });
    assert.equal(run('ServerGroupAffinityFilter', host, affinity([])).pass, true);
    assert.equal(run('ServerGroupAffinityFilter', host, affinity(['compute-1'])).pass, true);
    assertRejects(run('ServerGroupAffinityFilter', host, affinity(['compute-2'])), /not among the hosts of affinity group g-1/);
  });
  test('ServerGroupAntiAffinityFilter honours max_server_per_host', () => {
    const anti = (members: string[], maxServerPerHost?: number) =>
      requestSpec({ serverGroup: group({ members: new Set(members), rules: maxServerPerHost ? { maxServerPerHost } : {} }) });
    assert.equal(run('ServerGroupAntiAffinityFilter', host, anti(['m-2'])).pass, true);
    assertRejects(run('ServerGroupAntiAffinityFilter', host, anti(['m-1', 'm-2'])), /already runs 1 of max 1/);
    assert.equal(run('ServerGroupAntiAffinityFilter', host, anti(['m-1'], 2)).pass, true);
    // A move re-checking its own host does not count itself.
    assert.equal(run('ServerGroupAntiAffinityFilter', host, { ...anti(['m-1']), instanceUuid: 'm-1' }).pass, true);
    // Other policies are not this filter's business.
    assert.equal(run('ServerGroupAntiAffinityFilter', host, requestSpec({ serverGroup: group({ policy: 'soft-anti-affinity', members: new Set(['m-1']) }) })).pass, true);
  });
});

describe('SameHostFilter and DifferentHostFilter', () => {
  const host = hostWith({ instanceUuids: ['a'] });
  test('same_host needs one of the instances here', () => {
    assert.equal(run('SameHostFilter', host, requestSpec({ schedulerHints: { sameHost: ['a', 'b'] } })).pass, true);
    assertRejects(run('SameHostFilter', host, requestSpec({ schedulerHints: { sameHost: ['b'] } })), /runs none/);
  });
  test('different_host needs none of them here', () => {
    assert.equal(run('DifferentHostFilter', host, requestSpec({ schedulerHints: { differentHost: ['b'] } })).pass, true);
    assertRejects(run('DifferentHostFilter', host, requestSpec({ schedulerHints: { differentHost: ['b', 'a'] } })), /runs instance a/);
  });
});

describe('AggregateInstanceExtraSpecsFilter', () => {
  const host = hostWith({}, (c) => c.upsertAggregate({ id: 1, name: 'ssd', hosts: ['compute-1'], metadata: { ssd: 'true' } }));
  const spec = (extraSpecs: Record<string, string>) => requestSpec({ flavor: flavor({ extraSpecs }) });
  test('matches aggregate metadata, scoped or not', () => {
    assert.equal(run('AggregateInstanceExtraSpecsFilter', host, spec({ 'aggregate_instance_extra_specs:ssd': 'true' })).pass, true);
    assert.equal(run('AggregateInstanceExtraSpecsFilter', host, spec({ ssd: '<or> true <or> yes', 'hw:x': 'y' })).pass, true);
  });
  test('rejects a missing key or another value', () => {
    assertRejects(run('AggregateInstanceExtraSpecsFilter', host, spec({ gpu: 'true' })), /no aggregate with metadata key gpu/);
    assertRejects(run('AggregateInstanceExtraSpecsFilter', host, spec({ ssd: 'false' })), /matches no aggregate value/);
  });
});

describe('registry', () => {
  test('resolves names cheapest first and refuses unknown ones', () => {
    const names = resolveFilters(['ImagePropertiesFilter', 'RamFilter', 'ComputeFilter']).map((f) => f.name);
    assert.deepEqual(names, ['ComputeFilter', 'RamFilter', 'ImagePropertiesFilter']);
    assert.throws(() => resolveFilters(['RamFilter', 'NoSuchFilter']), /Unknown scheduler filter 'NoSuchFilter'/);
  });
});
