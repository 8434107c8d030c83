/**
 * Failure injection (/v2.1/nimbus/faults) on real workers: conductor, scheduler and fake-driver
 * agents on the in-process bus. Each kind, as the agent applies it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { runWithContext, type RequestContext } from '../common/context/request-context.js';
import { configureLogging } from '../common/logging/logger.js';
import { createComputeStores } from './db/compute-stores.js';
import { FaultInjections, type FaultRequest } from './faults/fault-injections.js';
import type { FaultInjection } from './faults/fault-injection.js';
import { ADMIN } from './db/testing/compute-db.js';
import { build, eventually, faults, newServer, serversOf, waitFor, withCloud, type Cloud } from './testing/worker-cloud.js';

const lines: string[] = [];
configureLogging({ sink: (line) => lines.push(line) });

function injections(cloud: Cloud): FaultInjections {
  return new FaultInjections(createComputeStores(cloud.db).faultInjections, cloud.workers.registry, cloud.workers.computeAgentApi);
}

function inject(cloud: Cloud, request: FaultRequest): Promise<FaultInjection> {
  const context: RequestContext = { ...ADMIN, requestId: `req-${randomUUID()}` };
  return runWithContext(context, () => injections(cloud).create(context, request));
}

function logged(pattern: RegExp): string[] {
  return lines.filter((line) => pattern.test(line));
}

describe('failure injection on the compute workers (fake driver)', () => {
  test('fail spawn: the build goes to ERROR with the injected fault; the count is used up, logged, and the next build works', async () => {
    await withCloud(1, async (cloud) => {
      const fault = await inject(cloud, { host: 'compute-1', kind: 'fail', operation: 'spawn' });
      const { uuid, context } = await newServer(cloud.db);
      await build(cloud, uuid, context);
      await waitFor(cloud.db, uuid, 'error');
      await eventually(async () => assert.match((await faults(cloud.db, uuid)).map((row) => row.message).join('|'), new RegExp(`injected failure \\(fault injection ${fault.id}\\)`)));
      assert.equal(cloud.driver('compute-1').inspect(uuid), undefined);
      const applied = logged(new RegExp(`WARNING nimbus.compute.faults \\[${context.requestId} .*\\[instance: ${uuid}\\] Fault injection ${fault.id} applied on compute-1: spawn fails`));
      assert.equal(applied.length, 1, lines.join('\n'));
      assert.equal(logged(new RegExp(`WARNING .*Fault injection ${fault.id} on compute-1 ended: its count is used up`)).length, 1);
      await eventually(async () => assert.deepEqual(await injections(cloud).list(), []));

      const next = await newServer(cloud.db);
      await build(cloud, next.uuid, next.context);
      await waitFor(cloud.db, next.uuid, 'active');
    });
  });

  test('fail one instance: only that guest is refused, the other builds on the same host', async () => {
    await withCloud(1, async (cloud) => {
      const victim = await newServer(cloud.db);
      const bystander = await newServer(cloud.db);
      await inject(cloud, { host: 'compute-1', kind: 'fail', operation: 'spawn', instanceUuid: victim.uuid, count: 5 });
      await build(cloud, bystander.uuid, bystander.context);
      await build(cloud, victim.uuid, victim.context);
      await waitFor(cloud.db, bystander.uuid, 'active');
      await waitFor(cloud.db, victim.uuid, 'error');
      const [left] = await injections(cloud).list();
      await eventually(async () => assert.equal((await injections(cloud).list())[0]?.remaining, 4));
      assert.equal(left?.instanceUuid, victim.uuid);
    });
  });

  test('slow: the delayed operation still completes, and the delay is logged with its request id', async () => {
    await withCloud(1, async (cloud) => {
      const fault = await inject(cloud, { host: 'compute-1', kind: 'slow', operation: 'spawn', delayMs: 200 });
      const { uuid, context } = await newServer(cloud.db);
      await build(cloud, uuid, context);
      await waitFor(cloud.db, uuid, 'active');
      assert.equal(cloud.driver('compute-1').inspect(uuid)?.powerState, 1);
      assert.equal(logged(new RegExp(`\\[${context.requestId} .*Fault injection ${fault.id} applied on compute-1: spawn waits 200 ms`)).length, 1, lines.join('\n'));
    });
  });

  test('drop_heartbeat: the host is down after service_down_time, the others stay up; it is up again once the injection expires', async () => {
    await withCloud(2, async (cloud) => {
      const state = async () => Object.fromEntries((await cloud.workers.registry.list({ binary: 'nova-compute' })).map((record) => [record.host, record.up ? 'up' : 'down']));
      assert.deepEqual(await state(), { 'compute-1': 'up', 'compute-2': 'up' });
      const fault = await inject(cloud, { host: 'compute-1', kind: 'drop_heartbeat', durationSeconds: 3 });
      await eventually(async () => assert.deepEqual(await state(), { 'compute-1': 'down', 'compute-2': 'up' }), 10_000);
      assert.ok(logged(new RegExp(`Fault injection ${fault.id} applied on compute-1: the service report is not sent`)).length > 0);
      await eventually(async () => assert.deepEqual(await state(), { 'compute-1': 'up', 'compute-2': 'up' }), 10_000);
      assert.equal(logged(new RegExp(`WARNING .*Fault injection ${fault.id} on compute-1 ended: its duration passed`)).length, 1);
    }, undefined, { reportIntervalMs: 100, serviceDownTimeSeconds: 1 });
  });

  test('pause_bus: an action cast during the pause waits on the bus and completes once the pause is cleared', async () => {
    await withCloud(1, async (cloud) => {
      const { uuid, context } = await newServer(cloud.db);
      await build(cloud, uuid, context);
      await waitFor(cloud.db, uuid, 'active');
      const fault = await inject(cloud, { host: 'compute-1', kind: 'pause_bus', durationSeconds: 600 });
      const servers = serversOf(cloud);
      const stop: RequestContext = { ...context, requestId: `req-${randomUUID()}` };
      await runWithContext(stop, async () => servers.actions.stop(stop, await servers.get(stop, uuid)));
      await eventually(() => assert.equal(logged(new RegExp(`\\[${stop.requestId} .*Fault injection ${fault.id} applied on compute-1: message 'stop_instance' waits`)).length, 1));
      const held = await waitFor(cloud.db, uuid, 'active', 'powering-off');
      assert.equal(held.power_state, 1);
      assert.equal(cloud.driver('compute-1').inspect(uuid)?.powerState, 1);

      const clearing: RequestContext = { ...ADMIN, requestId: `req-${randomUUID()}` };
      await runWithContext(clearing, () => injections(cloud).clear(fault.id));
      await waitFor(cloud.db, uuid, 'stopped');
      assert.equal(cloud.driver('compute-1').inspect(uuid)?.powerState, 4);
      assert.equal(logged(new RegExp(`Fault injection ${fault.id} on compute-1 ended: it was cleared`)).length, 1);
    });
  });
});
