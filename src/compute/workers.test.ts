import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RemoteError } from '../common/bus/index.js';
import { runWithContext } from '../common/context/request-context.js';
import { configureLogging } from '../common/logging/logger.js';
import type { LogRecord } from '../common/logging/format.js';
import { ServiceRegistry } from '../common/service/service-registry.js';
import { toDbTimestamp } from '../common/db/timestamps.js';
import { createComputeStores } from './db/compute-stores.js';
import { insertInstance } from './db/testing/compute-db.js';
import { build, events, eventually, faults, IMAGE_ID, images, instance, newServer, serversOf, setTask, specFor, tables, usage, waitFor, withCloud } from './testing/worker-cloud.js';
import { toWireSpec } from './scheduler/rpc-api.js';
import { fakeDriverFactory } from './virt/fake/index.js';
import { startComputeAgents } from './workers.js';

const records: LogRecord[] = [];
configureLogging({ sink: (_line, record) => records.push(record) });

describe('compute workers on the in-process bus (sqlite)', () => {
  test('a build lands on a host and becomes ACTIVE/running, with its events and one request id across the workers', async () => {
    await withCloud(3, async (cloud) => {
      const { uuid, context } = await newServer(cloud.db, { config_drive: 'True' });
      await build(cloud, uuid, context);
      const row = await waitFor(cloud.db, uuid, 'active');
      assert.equal(row.power_state, 1);
      assert.ok(row.host?.startsWith('compute-'));
      assert.equal(row.node, row.host);
      assert.notEqual(row.launched_at, null);
      assert.equal(cloud.driver(row.host ?? '').inspect(uuid)?.configDrive, true, 'the guest was asked for the config drive the server has');
      await eventually(async () =>
        assert.deepEqual(
          (await events(cloud.db, uuid)).map((event) => [event.event, event.result]),
          [
            ['schedule_instances', 'Success'],
            ['compute__do_build_and_run_instance', 'Success'],
          ],
        ),
      );
      const modules = new Set(records.filter((record) => record.context?.requestId === context.requestId).map((record) => record.module));
      for (const module of ['nimbus.compute.conductor', 'nimbus.compute.scheduler.manager', 'nimbus.compute.manager']) {
        assert.ok(modules.has(module), `no ${module} line under ${context.requestId}: ${[...modules].join(', ')}`);
      }
      const allocations = await tables(cloud.db).selectFrom('compute_allocations').selectAll().where('consumer_uuid', '=', uuid).execute();
      assert.equal(allocations.length, 1);
    });
  });

  test("a server booted without a zone is stored in its host's zone, and the availability_zone list filter finds it", async () => {
    await withCloud(2, async (cloud) => {
      // compute-2 is in zone edge from before the boots; compute-1 is in no aggregate (the default zone).
      const aggregates = createComputeStores(cloud.db).aggregates;
      const edge = await aggregates.create('edge-hosts', 'edge', toDbTimestamp(new Date()));
      await aggregates.addHost(edge.id, 'compute-2');
      await cloud.workers.schedulerClient.updateAggregate({ id: edge.id, name: edge.name, metadata: { availability_zone: 'edge' }, hosts: ['compute-2'] });
      const booted: Record<string, string> = {};
      for (let index = 0; index < 4; index += 1) {
        const { uuid, context } = await newServer(cloud.db);
        await build(cloud, uuid, context);
        const row = await waitFor(cloud.db, uuid, 'active');
        booted[uuid] = row.host ?? '';
      }
      const hosts = new Set(Object.values(booted));
      assert.equal(hosts.size, 2, 'the builds spread over both hosts');
      const servers = serversOf(cloud);
      const listed = async (zone: string) =>
        (await servers.list({ regex: { availability_zone: zone }, sort: [], limit: 100 })).map((server) => server.row.uuid).sort();
      const on = (host: string) => Object.keys(booted).filter((uuid) => booted[uuid] === host).sort();
      assert.deepEqual(await listed('nova'), on('compute-1'));
      assert.deepEqual(await listed('edge'), on('compute-2'));
      for (const [uuid, host] of Object.entries(booted)) {
        const row = await instance(cloud.db, uuid);
        assert.equal(row?.availability_zone, host === 'compute-2' ? 'edge' : 'nova');
        assert.equal(row?.requested_availability_zone, null, 'the server stays pinned to no zone');
      }
    });
  });

  test('[DEFAULT] force_config_drive gives a server that did not ask a config drive, and records it', async () => {
    await withCloud(
      1,
      async (cloud) => {
        const { uuid, context } = await newServer(cloud.db);
        await build(cloud, uuid, context);
        const row = await waitFor(cloud.db, uuid, 'active');
        assert.equal(cloud.driver(row.host ?? '').inspect(uuid)?.configDrive, true);
        assert.equal(row.config_drive, 'True');
      },
      undefined,
      { forceConfigDrive: true },
    );
  });

  test('a build failing on its host is rescheduled to an alternate', async () => {
    await withCloud(3, async (cloud) => {
      const { uuid, context } = await newServer(cloud.db);
      // Ties go to the first host in the cache, so compute-1 is tried first, then its alternates.
      cloud.driver('compute-1').faults.failEvery('spawn', { instanceUuid: uuid, message: 'disk full' });
      cloud.driver('compute-2').faults.failEvery('spawn', { instanceUuid: uuid, message: 'disk full' });
      await build(cloud, uuid, context);
      const row = await waitFor(cloud.db, uuid, 'active');
      assert.equal(row.host, 'compute-3');
      await eventually(async () => {
        const results = (await events(cloud.db, uuid)).filter((event) => event.event === 'compute__do_build_and_run_instance');
        assert.ok(results.length >= 2, JSON.stringify(results));
        assert.deepEqual(results.at(-1), { event: 'compute__do_build_and_run_instance', result: 'Success', host: 'compute-3' });
        assert.ok(results.slice(0, -1).every((event) => event.result === 'Error' && event.host !== 'compute-3'));
      });
      assert.equal(usage(cloud), 1);
    });
  });

  test('a build failing on every host ends in ERROR with the last fault and leaks no claim', async () => {
    await withCloud(3, async (cloud) => {
      const { uuid, context } = await newServer(cloud.db);
      for (const agent of cloud.workers.agents) cloud.driver(agent.host).faults.failEvery('spawn', { message: `spawn broke on ${agent.host}` });
      await build(cloud, uuid, context);
      const row = await waitFor(cloud.db, uuid, 'error');
      assert.equal(row.host, null);
      await eventually(async () => {
        const [fault] = await faults(cloud.db, uuid);
        assert.match(fault?.message ?? '', /spawn broke on compute-\d/);
        assert.equal(fault?.code, 500);
      });
      const failures = (await events(cloud.db, uuid)).filter((event) => event.result === 'Error');
      assert.equal(new Set(failures.map((event) => event.host)).size, 3);
      await eventually(() => assert.equal(usage(cloud), 0));
      assert.equal((await tables(cloud.db).selectFrom('compute_allocations').selectAll().execute()).length, 0);
    });
  });

  test('no host with room: ERROR with "No valid host was found"', async () => {
    await withCloud(
      2,
      async (cloud) => {
        const { uuid, context } = await newServer(cloud.db);
        await build(cloud, uuid, context);
        await waitFor(cloud.db, uuid, 'error');
        await eventually(async () => {
          const [fault] = await faults(cloud.db, uuid);
          assert.equal(fault?.message, 'No valid host was found. There are not enough hosts available.');
          assert.equal(fault?.code, 500);
          assert.deepEqual((await events(cloud.db, uuid)).map((event) => event.result), ['Error']);
        });
        assert.equal(usage(cloud), 0);
      },
      { vcpus: 4, memoryMb: 4096, localGb: 0 },
    );
  });

  test('stop, start, reboot soft and hard, console output, diagnostics and terminate through the agent RPC API', async () => {
    await withCloud(1, async (cloud) => {
      const { uuid, context } = await newServer(cloud.db);
      await build(cloud, uuid, context);
      await waitFor(cloud.db, uuid, 'active');
      const api = cloud.workers.computeAgentApi;
      await runWithContext(context, async () => {
        await setTask(cloud.db, uuid, 'powering-off');
        await api.cast('compute-1', 'stop_instance', { instanceUuid: uuid, clean: true });
        assert.equal((await waitFor(cloud.db, uuid, 'stopped')).power_state, 4);
        // Nova's compute manager answers diagnostics of a running guest only: the API's 409.
        await assert.rejects(api.call('compute-1', 'get_diagnostics', { instanceUuid: uuid }), (error) => error instanceof RemoteError && error.status === 409 && /power_state shutdown/.test(error.message));
        await setTask(cloud.db, uuid, 'powering-on');
        await api.cast('compute-1', 'start_instance', { instanceUuid: uuid });
        assert.equal((await waitFor(cloud.db, uuid, 'active')).power_state, 1);
        await setTask(cloud.db, uuid, 'rebooting');
        await api.cast('compute-1', 'reboot_instance', { instanceUuid: uuid, rebootType: 'SOFT' });
        await waitFor(cloud.db, uuid, 'active');
        await setTask(cloud.db, uuid, 'rebooting_hard');
        await api.cast('compute-1', 'reboot_instance', { instanceUuid: uuid, rebootType: 'HARD' });
        await waitFor(cloud.db, uuid, 'active');
        const diagnostics = await api.call('compute-1', 'get_diagnostics', { instanceUuid: uuid });
        const flavor = cloud.driver('compute-1').inspect(uuid)?.flavor;
        assert.equal(diagnostics.state, 1);
        assert.equal(diagnostics.cpus.length, flavor?.vcpus);
        assert.equal(diagnostics.memory.maximumMb, flavor?.memoryMb);
        assert.equal(diagnostics.disks[0]?.device, 'vda');
        const console = await api.call('compute-1', 'get_console_output', { instanceUuid: uuid });
        assert.ok(console.length > 0);
        const last = await api.call('compute-1', 'get_console_output', { instanceUuid: uuid, length: 1 });
        assert.equal(last.split('\n').length, 1);
        assert.ok(console.endsWith(`${last}\n`));
        assert.equal(await api.call('compute-1', 'get_console_output', { instanceUuid: uuid, length: 0 }), '');
        await setTask(cloud.db, uuid, 'deleting');
        await api.cast('compute-1', 'terminate_instance', { instanceUuid: uuid });
      });
      const deadline = Date.now() + 5000;
      while (!(await instance(cloud.db, uuid)).deleted && Date.now() < deadline) await sleep(5);
      const row = await instance(cloud.db, uuid);
      assert.equal(row.deleted, true);
      assert.equal(row.vm_state, 'deleted');
      assert.notEqual(row.terminated_at, null);
      assert.equal(cloud.driver('compute-1').inspect(uuid), undefined);
      await eventually(async () => {
        assert.equal(usage(cloud), 0);
        const names = (await events(cloud.db, uuid)).map((event) => `${event.event}:${event.result ?? '-'}`);
        for (const name of ['compute_stop_instance', 'compute_start_instance', 'compute_reboot_instance', 'compute_terminate_instance']) {
          assert.ok(names.includes(`${name}:Success`), names.join(' '));
        }
      });
    });
  });

  test('an action whose task state moved on is ignored', async () => {
    await withCloud(1, async (cloud) => {
      const { uuid, context } = await newServer(cloud.db);
      await build(cloud, uuid, context);
      await waitFor(cloud.db, uuid, 'active');
      await cloud.workers.computeAgentApi.cast('compute-1', 'stop_instance', { instanceUuid: uuid, clean: false });
      await sleep(30);
      assert.equal((await instance(cloud.db, uuid)).vm_state, 'active');
    });
  });

  test('a build cast twice to its host starts once; a copy cast to another host starts nowhere', async () => {
    await withCloud(2, async (cloud) => {
      const { uuid, context } = await newServer(cloud.db);
      // Placed on compute-1 as the conductor places it; a stray copy cast to compute-2, then two to compute-1 (one maybe lost, and sent again).
      await tables(cloud.db).updateTable('compute_instances').set({ host: 'compute-1', node: 'compute-1' }).where('uuid', '=', uuid).execute();
      const placed = await createComputeStores(cloud.db).instances.get(uuid);
      assert.ok(placed);
      const args = { instance: placed, build: { instanceUuid: uuid, imageRef: IMAGE_ID, requestedNetworks: 'none' as const }, node: 'compute-1', spec: toWireSpec(specFor([uuid])), alternates: [] };
      const agents = cloud.workers.computeAgentApi;
      await runWithContext(context, () => agents.cast('compute-2', 'build_and_run_instance', { ...args, node: 'compute-2' }));
      await eventually(() => assert.ok(records.some((record) => record.instance === uuid && record.message === 'Instance is on compute-1 now; not building it here')));
      assert.equal((await instance(cloud.db, uuid)).task_state, 'scheduling', 'still waiting for compute-1');
      await runWithContext(context, () => Promise.all([agents.cast('compute-1', 'build_and_run_instance', args), agents.cast('compute-1', 'build_and_run_instance', args)]));
      const row = await waitFor(cloud.db, uuid, 'active');
      assert.equal(row.host, 'compute-1');
      await eventually(async () => assert.deepEqual((await events(cloud.db, uuid)).map((event) => [event.event, event.result, event.host]), [['compute__do_build_and_run_instance', 'Success', 'compute-1']]));
      assert.deepEqual(await cloud.driver('compute-2').listInstances(), []);
    });
  });

  test('a build cast twice to the conductors (the first maybe lost with the broker) is placed once: one guest, one allocation, no claim left', async () => {
    await withCloud(2, async (cloud) => {
      const { uuid, context } = await newServer(cloud.db);
      await Promise.all([build(cloud, uuid, context), build(cloud, uuid, context)]);
      const row = await waitFor(cloud.db, uuid, 'active');
      const guests = await Promise.all(cloud.workers.agents.map(async (agent) => (await cloud.driver(agent.host).listInstances()).length));
      assert.deepEqual(guests.reduce((sum, count) => sum + count, 0), 1, `guests per host: ${JSON.stringify(guests)}`);
      const allocations = await tables(cloud.db)
        .selectFrom('compute_allocations')
        .innerJoin('compute_nodes', 'compute_nodes.id', 'compute_allocations.node_id')
        .select(['compute_allocations.consumer_uuid', 'compute_nodes.host'])
        .execute();
      assert.deepEqual(allocations, [{ consumer_uuid: uuid, host: row.host }]);
      await eventually(() => assert.equal(usage(cloud), 1, 'the second placement gave its claim back'));
    });
  });

  test('a host back up since the scheduler last read the services is chosen, not NoValidHost (the states are read again first)', async () => {
    await withCloud(1, async (cloud) => {
      // What the scheduler knew while compute-1's agent was away; its heartbeats since say it is up.
      cloud.workers.scheduler.cache.markService('compute-1', { up: false });
      const { uuid, context } = await newServer(cloud.db);
      await build(cloud, uuid, context);
      const row = await waitFor(cloud.db, uuid, 'active');
      assert.equal(row.host, 'compute-1');
      assert.ok(records.some((record) => record.message === 'No valid host among the states known: reading the compute services again before answering'));
    });
  });

  test('105 concurrent builds on ten hosts with room for ten each: 100 ACTIVE, 5 ERROR, none overcommitted', async () => {
    await withCloud(10, async (cloud) => {
      const servers = await Promise.all(Array.from({ length: 105 }, () => newServer(cloud.db)));
      await Promise.all(servers.map(({ uuid, context }) => build(cloud, uuid, context)));
      // Ends as soon as no server is building; the bound only stops a hang (a machine at load 36 needed over 10 s).
      const deadline = Date.now() + 60_000;
      for (;;) {
        const rows = await tables(cloud.db).selectFrom('compute_instances').select(['vm_state']).execute();
        if (rows.every((row) => row.vm_state !== 'building') || Date.now() > deadline) break;
        await sleep(20);
      }
      const rows = await tables(cloud.db).selectFrom('compute_instances').select(['vm_state', 'host']).execute();
      assert.equal(rows.filter((row) => row.vm_state === 'active').length, 100);
      assert.equal(rows.filter((row) => row.vm_state === 'error').length, 5);
      for (const agent of cloud.workers.agents) {
        assert.equal((await agent.driver.listInstances()).length, 10, agent.host);
        assert.ok((cloud.workers.scheduler.cache.get(agent.host)?.localGbUsed ?? 0) <= 10);
      }
    });
  });

  test('registers nova-compute, nova-scheduler and nova-conductor, and a restarted agent recovers interrupted work', async () => {
    await withCloud(1, async (cloud) => {
      const services = await new ServiceRegistry(cloud.db).list();
      assert.deepEqual(services.map((service) => service.binary).sort(), ['nova-compute', 'nova-conductor', 'nova-scheduler']);
      assert.ok(services.every((service) => service.up));

      const spawning = await insertInstance(cloud.db, 'p1', { vm_state: 'building', task_state: 'spawning', host: 'compute-9', node: 'compute-9' });
      const deleting = await insertInstance(cloud.db, 'p1', { vm_state: 'active', task_state: 'deleting', host: 'compute-9', node: 'compute-9' });
      const agents = await startComputeAgents({ transport: cloud.transport, images, drivers: fakeDriverFactory(), hosts: ['compute-9'], stateDir: cloud.stateDir });
      try {
        const failed = await instance(cloud.db, spawning);
        assert.equal(failed.vm_state, 'error');
        assert.equal(failed.task_state, null);
        assert.equal((await faults(cloud.db, spawning)).length, 1);
        const gone = await instance(cloud.db, deleting);
        assert.equal(gone.deleted, true);
        assert.equal(gone.vm_state, 'deleted');
        const hosts = (await new ServiceRegistry(cloud.db).list({ binary: 'nova-compute' })).map((service) => service.host);
        assert.deepEqual(hosts.sort(), ['compute-1', 'compute-9']);
      } finally {
        await agents.stop();
      }
    });
  });

  test('the power-state sync records a guest that stopped behind the agent\'s back', async () => {
    await withCloud(1, async (cloud) => {
      const { uuid, context } = await newServer(cloud.db);
      await build(cloud, uuid, context);
      await waitFor(cloud.db, uuid, 'active');
      const agent = cloud.workers.agents[0];
      assert.ok(agent);
      await agent.driver.powerOff({ uuid, name: `instance-${uuid.slice(0, 8)}` }, { timeoutSeconds: 0, retryIntervalSeconds: 1 });
      await agent.syncPowerStates();
      const row = await instance(cloud.db, uuid);
      assert.equal(row.power_state, 4);
      assert.equal(row.vm_state, 'stopped');
    });
  });
});

before(() => {
  records.length = 0;
});
after(() => {
  records.length = 0;
});
