import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Transport } from '../../common/bus/index.js';
import { InprocTransport } from '../../common/bus/inproc/transport.js';
import type { ServiceRecord } from '../../common/service/service-registry.js';
import type { NodeReport } from './host-state.js';
import { NoValidHost } from './no-valid-host.js';
import type { RequestSpec } from './request-spec.js';
import type { SchedulerHostSource } from './host-source.js';
import { SchedulerClient } from './rpc-client.js';
import { SchedulerService } from './manager.js';

function node(host: string, localGb: number): NodeReport {
  return {
    host,
    vcpus: 8,
    vcpusUsed: 0,
    memoryMb: 16384,
    memoryMbUsed: 0,
    localGb,
    localGbUsed: 0,
    hypervisorType: 'fake',
    hypervisorVersion: 1000,
    instanceUuids: [],
  };
}

function spec(count: number): RequestSpec {
  const instanceUuids = Array.from({ length: count }, () => randomUUID());
  return {
    instanceUuids,
    numInstances: count,
    flavor: { vcpus: 1, memoryMb: 256, rootGb: 1, ephemeralGb: 0, swapMb: 0, extraSpecs: {} },
    image: { properties: {} },
    schedulerHints: {},
  };
}

const registry = {
  register: async (): Promise<ServiceRecord> => ({
    id: 1,
    uuid: '0b9c6b3c-5b0e-4d0e-9d3e-3f2f1a000001',
    binary: 'nova-scheduler',
    host: 'controller',
    topic: 'scheduler',
    disabled: false,
    disabledReason: null,
    forcedDown: false,
    reportCount: 0,
    lastSeenAt: new Date(),
    createdAt: new Date(),
    updatedAt: null,
    up: true,
  }),
  startHeartbeat: () => async () => {},
};

async function withScheduler(nodes: readonly NodeReport[], fn: (client: SchedulerClient, service: SchedulerService) => Promise<void>): Promise<void> {
  const transport: Transport = new InprocTransport(`scheduler-${randomUUID()}`);
  await transport.connect();
  const source: SchedulerHostSource = {
    loadNodes: async () => [...nodes],
    loadComputeServices: async () => [],
    loadAggregates: async () => [],
  };
  const service = new SchedulerService({ transport, source, registry, host: 'controller', reportIntervalMs: 0 });
  await service.start();
  try {
    await fn(new SchedulerClient(transport, 5), service);
  } finally {
    await service.stop();
    await transport.close();
  }
}

describe('scheduler service', () => {
  test('select_destinations answers claimed hosts with alternates, loaded from its source at start', async () => {
    await withScheduler([node('a', 4), node('b', 4), node('c', 4)], async (client, service) => {
      const [selection] = await client.selectDestinations(spec(1));
      assert.ok(selection);
      assert.equal(selection.alternates.length, 2);
      assert.ok(!selection.alternates.some((alternate) => alternate.host === selection.destination.host));
      assert.equal(service.cache.get(selection.destination.host)?.localGbUsed, 1);
    });
  });

  test('a request that does not fit whole claims nothing', async () => {
    await withScheduler([node('a', 2), node('b', 2)], async (client, service) => {
      await assert.rejects(client.selectDestinations(spec(5)), NoValidHost);
      assert.ok(service.cache.hosts().every((host) => host.localGbUsed === 0));
    });
  });

  test('claim_alternate skips full hosts; release_claim frees per host or everywhere', async () => {
    await withScheduler([node('a', 1), node('b', 1)], async (client, service) => {
      const first = spec(1);
      const [selection] = await client.selectDestinations(first);
      const uuid = first.instanceUuids[0] ?? '';
      assert.ok(selection);
      const other = selection.destination.host === 'a' ? 'b' : 'a';
      const second = spec(1);
      const claimed = await client.claimAlternate(second.instanceUuids[0] ?? '', second, [selection.destination, { host: other, node: other, cellUuid: 'cell1' }]);
      assert.equal(claimed?.destination.host, other);
      assert.equal(await client.claimAlternate(randomUUID(), second, [selection.destination]), null);
      await client.releaseClaim(uuid, other);
      assert.equal(service.cache.get(selection.destination.host)?.localGbUsed, 1);
      await client.releaseClaim(uuid);
      assert.equal(service.cache.get(selection.destination.host)?.localGbUsed, 0);
    });
  });

  test('two schedulers on one bus: one decides at a time, so a host with room for two gets two of four racing boots; both hear host updates; the other takes over', async () => {
    const transport: Transport = new InprocTransport(`scheduler-${randomUUID()}`);
    await transport.connect();
    const source: SchedulerHostSource = { loadNodes: async () => [node('a', 2)], loadComputeServices: async () => [], loadAggregates: async () => [] };
    const [first, second] = ['api-a', 'api-b'].map((host) => new SchedulerService({ transport, source, registry, host, reportIntervalMs: 0 }));
    assert.ok(first && second);
    await first.start();
    await second.start();
    try {
      const client = new SchedulerClient(transport, 5);
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => client.selectDestinations(spec(1))));
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 2, 'never more than fit');
      assert.ok(results.filter((result) => result.status === 'rejected').every((result) => result.reason instanceof NoValidHost));

      await client.updateHost(node('b', 10));
      for (let i = 0; i < 50 && !(first.cache.get('b') && second.cache.get('b')); i += 1) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(first.cache.get('b')?.localGb, 10);
      assert.equal(second.cache.get('b')?.localGb, 10, 'the standing-by scheduler hears it too');

      await first.stop();
      const [selection] = await client.selectDestinations({ ...spec(1), flavor: { vcpus: 1, memoryMb: 256, rootGb: 5, ephemeralGb: 0, swapMb: 0, extraSpecs: {} } });
      assert.equal(selection?.destination.host, 'b');
      assert.equal(second.cache.get('b')?.localGbUsed, 5, 'the one left decided and claimed');
    } finally {
      await first.stop();
      await second.stop();
      await transport.close();
    }
  });

  test('update_host and update_service reach the cache', async () => {
    await withScheduler([], async (client, service) => {
      await client.updateHost(node('new', 10));
      await client.updateService('new', { disabled: true, disabledReason: 'maintenance' });
      for (let i = 0; i < 50 && service.cache.get('new')?.serviceDisabled !== true; i += 1) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(service.cache.get('new')?.localGb, 10);
      assert.equal(service.cache.get('new')?.serviceDisabled, true);
      await assert.rejects(client.selectDestinations(spec(1)), NoValidHost);
    });
  });

  test('serviceChanged (os-services) is a call: when it returns, the very next decision leaves the disabled host out', async () => {
    await withScheduler([node('a', 4), node('b', 4)], async (client) => {
      await client.serviceChanged('a', { disabled: true, disabledReason: 'maintenance', forcedDown: false });
      const selections = await client.selectDestinations(spec(2));
      assert.deepEqual(selections.map((selection) => selection.destination.host), ['b', 'b']);
      await client.serviceChanged('a', { disabled: false, disabledReason: null, forcedDown: true });
      assert.deepEqual((await client.selectDestinations(spec(1))).map((selection) => selection.destination.host), ['b'], 'forced down');
      await client.serviceChanged('a', { forcedDown: false });
      assert.equal((await client.selectDestinations(spec(1)))[0]?.destination.host, 'a', 'back in, and the freer host');
    });
  });
});
