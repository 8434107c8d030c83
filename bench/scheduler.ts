/**
 * Scheduler figures: one decision's latency (p50/p99) at 1,000 and 10,000 hosts with the default
 * filters + RAM weigher, with an anti-affinity group, and with every weigher; claims per second,
 * and the contention check (100 concurrent claims for a host with room for 10). Prints JSON.
 * Reference: Nova (Zed) takes 68 ms at 1,000 hosts and 987 ms at 10,000.
 */
import { performance } from 'node:perf_hooks';
import { configureLogging } from '../src/common/logging/logger.js';
import { claim, release } from '../src/compute/scheduler/claims.js';
import { HostStateCache } from '../src/compute/scheduler/host-state.js';
import type { RequestSpec } from '../src/compute/scheduler/request-spec.js';
import { FilterScheduler, type SchedulerOptions } from '../src/compute/scheduler/select-destinations.js';
import { flavor, nodeReport, requestSpec } from '../src/compute/testing/scheduler-fixtures.js';

const WARMUP = 50;
const DECISIONS = 500;
const CLAIM_ROUNDS = 200_000;

// stdout carries the figures; stderr only what went wrong.
configureLogging({
  sink: (line, record) => {
    if (record.level !== 'DEBUG' && record.level !== 'INFO') process.stderr.write(line + '\n');
  },
});

/** A deterministic, varied fleet: mixed usage, 2% disabled, 4 zones, ~5 instances a host. */
function fleet(size: number): HostStateCache {
  const cache = new HostStateCache();
  const zones = ['az1', 'az2', 'az3', 'az4'];
  for (let i = 0; i < size; i += 1) {
    const instanceUuids = Array.from({ length: i % 10 }, (_, k) => `vm-${i}-${k}`);
    cache.upsertNode(
      nodeReport(`compute-${i}`, {
        vcpus: 64,
        vcpusUsed: (i * 7) % 600,
        memoryMb: 262_144,
        memoryMbUsed: (i * 7919) % 300_000,
        localGb: 2000,
        localGbUsed: (i * 13) % 1500,
        instanceUuids,
      }),
    );
    if (i % 50 === 0) cache.markService(`compute-${i}`, { disabled: true, disabledReason: 'bench' });
  }
  zones.forEach((zone, z) => {
    const hosts = Array.from({ length: Math.ceil(size / zones.length) }, (_, k) => `compute-${k * zones.length + z}`);
    cache.upsertAggregate({ id: z + 1, name: zone, hosts, metadata: { availability_zone: zone } });
  });
  return cache;
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? 0;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

function timeDecisions(cache: HostStateCache, options: SchedulerOptions, spec: RequestSpec) {
  const scheduler = new FilterScheduler(options);
  for (let i = 0; i < WARMUP; i += 1) scheduler.selectDestinations(cache, spec);
  const samples: number[] = [];
  for (let i = 0; i < DECISIONS; i += 1) {
    const t0 = performance.now();
    scheduler.selectDestinations(cache, spec);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { decisions: DECISIONS, p50_ms: round(percentile(samples, 0.5)), p99_ms: round(percentile(samples, 0.99)) };
}

function decisionFigures(size: number) {
  const cache = fleet(size);
  const spec = requestSpec({ flavor: flavor({ vcpus: 2, memoryMb: 4096, rootGb: 20 }) });
  // 100 members of an anti-affinity group already spread over the fleet.
  const members = new Set(Array.from({ length: 100 }, (_, k) => `vm-${k * 7 + 1}-0`));
  const antiAffinity = requestSpec({
    ...spec,
    serverGroup: { uuid: 'bench-group', policy: 'anti-affinity', rules: {}, hosts: new Set(), members },
  });
  const ramOnly: SchedulerOptions = { weighers: ['RAMWeigher'] };
  return {
    hosts: size,
    default_filters_ram_weigher: timeDecisions(cache, ramOnly, spec),
    with_anti_affinity: timeDecisions(cache, ramOnly, antiAffinity),
    in_one_az_of_four: timeDecisions(cache, ramOnly, { ...spec, availabilityZone: 'az2' }),
    all_weighers: timeDecisions(cache, {}, spec),
    ten_instances: timeDecisions(cache, ramOnly, { ...spec, numInstances: 10, instanceUuids: Array.from({ length: 10 }, (_, k) => `new-${k}`) }),
  };
}

/** 100 claims raced from concurrent tasks for a host with room for 10. */
async function contention() {
  const cache = new HostStateCache({ allocationRatios: { ram: 1.0 } });
  cache.upsertNode(nodeReport('hot', { memoryMb: 10 * 1024, vcpus: 64 }));
  const resources = { vcpus: 1, memoryMb: 1024, diskMb: 0 };
  const results = await Promise.all(
    Array.from({ length: 100 }, async (_, i) => {
      await new Promise((resolve) => setImmediate(resolve));
      return claim(cache, 'hot', { instanceUuid: `race-${i}` }, resources).claimed;
    }),
  );
  const succeeded = results.filter(Boolean).length;
  return { attempts: 100, room_for: 10, succeeded, over_committed: (cache.get('hot')?.memoryMbUsed ?? 0) > 10 * 1024 };
}

/** Claim + release pairs, plus refused claims on the full host. */
function claimThroughput() {
  const cache = new HostStateCache();
  cache.upsertNode(nodeReport('c1', { memoryMb: 1 << 20, vcpus: 1024 }));
  const resources = { vcpus: 1, memoryMb: 1024, diskMb: 10_240 };
  const t0 = performance.now();
  for (let i = 0; i < CLAIM_ROUNDS; i += 1) {
    const result = claim(cache, 'c1', { instanceUuid: `vm-${i}` }, resources);
    if (result.claimed) release(cache, result.claim);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { claim_release_pairs: CLAIM_ROUNDS, pairs_per_sec: Math.round(CLAIM_ROUNDS / seconds) };
}

const figures = {
  reference_nova_zed_ms: { hosts_1000: 68, hosts_10000: 987 },
  decision: [decisionFigures(1000), decisionFigures(10_000)],
  contention: await contention(),
  claims: claimThroughput(),
};
process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
