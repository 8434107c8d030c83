import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { withOpenDatabase, withTestDatabase } from '../../test/support/databases.js';
import { openTransport, type Transport } from '../common/bus/index.js';
import { runWithContext, newRequestId, type RequestContext } from '../common/context/request-context.js';
import type { Database } from '../common/db/database.js';
import { migrateToLatest } from '../common/db/migrator.js';
import { toDbTimestamp } from '../common/db/timestamps.js';
import { configureLogging } from '../common/logging/logger.js';
import type { LogRecord } from '../common/logging/format.js';
import { serviceRegistryMigrations } from '../common/service/db/migrations/index.js';
import { ServiceRegistry } from '../common/service/service-registry.js';
import type { ImageRef } from '../image/images/image.js';
import { computeMigrations } from './db/migrations/index.js';
import { insertInstance } from './db/testing/compute-db.js';
import type { ComputeTables } from './db/tables.js';
import type { RequestSpec } from './scheduler/request-spec.js';
import { FakeDriver } from './virt/fake/index.js';
import { startComputeAgents, startComputeWorkers, type ComputeImageSource, type ComputeWorkers } from './workers.js';

const records: LogRecord[] = [];
configureLogging({ sink: (_line, record) => records.push(record) });

const IMAGE_ID = randomUUID();
const images: ComputeImageSource = {
  getImageForCompute: async (_context, id): Promise<ImageRef> => ({
    id,
    name: 'cirros',
    status: 'active',
    disk_format: 'qcow2',
    container_format: 'bare',
    size: 1024,
    virtual_size: null,
    checksum: null,
    os_hash_algo: null,
    os_hash_value: null,
    min_disk: 0,
    min_ram: 0,
    visibility: 'public',
    protected: false,
    os_hidden: false,
    owner: null,
    created_at: '2026-11-22T10:00:00Z',
    updated_at: '2026-11-22T10:00:00Z',
    tags: [],
    properties: {},
  }),
  // The fake driver boots no real disk: it never reads image data.
  openImageData: async () => Readable.from([]),
};

/** A host with room for exactly ten 1-GB-disk instances (disk_allocation_ratio is 1.0). */
const TEN_SLOTS = { vcpus: 32, memoryMb: 131072, localGb: 10 };

interface Cloud {
  readonly db: Database;
  readonly workers: ComputeWorkers;
  readonly transport: Transport;
  readonly stateDir: string;
  driver(host: string): FakeDriver;
}

async function withCloud(hosts: number, fn: (cloud: Cloud) => Promise<void>, fakeHostSize = TEN_SLOTS): Promise<void> {
  await withTestDatabase('sqlite', (url) =>
    withOpenDatabase(url, async (db) => {
      await migrateToLatest(db, computeMigrations);
      await migrateToLatest(db, serviceRegistryMigrations);
      const transport = openTransport(`inproc://workers-${randomUUID()}`);
      await transport.connect();
      const stateDir = await mkdtemp(join(tmpdir(), 'nimbus-workers-'));
      const workers = await startComputeWorkers({
        database: db,
        transport,
        images,
        driver: 'fake',
        hosts: Array.from({ length: hosts }, (_, index) => `compute-${index + 1}`),
        stateDir,
        controllerHost: 'controller',
        rpcTimeoutSeconds: 5,
        fakeHostSize,
      });
      const driver = (host: string): FakeDriver => {
        const found = workers.agents.find((agent) => agent.host === host)?.driver;
        assert.ok(found instanceof FakeDriver);
        return found;
      };
      try {
        await fn({ db, workers, transport, stateDir, driver });
      } finally {
        await workers.stop();
        await transport.close();
        await rm(stateDir, { recursive: true, force: true });
      }
    }),
  );
}

function tables(db: Database) {
  return db.kysely.withTables<ComputeTables>();
}

/** Inserts an instance and its `create` action as the servers API does, and returns a context for the request. */
async function newServer(db: Database, overrides: { uuid?: string } = {}): Promise<{ uuid: string; context: RequestContext }> {
  const context: RequestContext = { requestId: newRequestId(), userId: 'user-of-p1', projectId: 'p1', roles: ['member'] };
  const uuid = await insertInstance(db, 'p1', {
    ...overrides,
    vm_state: 'building',
    task_state: 'scheduling',
    power_state: 0,
    host: null,
    node: null,
    launched_at: null,
    image_ref: IMAGE_ID,
  });
  const now = toDbTimestamp(new Date());
  await tables(db)
    .insertInto('compute_instance_actions')
    .values({ instance_uuid: uuid, action: 'create', request_id: context.requestId, user_id: 'user-of-p1', project_id: 'p1', start_time: now, finish_time: null, message: null, created_at: now, updated_at: now })
    .execute();
  return { uuid, context };
}

function specFor(uuids: readonly string[]): RequestSpec {
  return {
    instanceUuids: uuids,
    numInstances: uuids.length,
    projectId: 'p1',
    flavor: { vcpus: 1, memoryMb: 128, rootGb: 1, ephemeralGb: 0, swapMb: 0, extraSpecs: {} },
    image: { id: IMAGE_ID, properties: {} },
    schedulerHints: {},
  };
}

async function build(cloud: Cloud, uuid: string, context: RequestContext): Promise<void> {
  await runWithContext(context, () => cloud.workers.computeTaskApi.buildInstances([{ instanceUuid: uuid, imageRef: IMAGE_ID, requestedNetworks: 'none' }], specFor([uuid])));
}

async function instance(db: Database, uuid: string) {
  return tables(db).selectFrom('compute_instances').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
}

/** Polls until the instance satisfies `done` (vm_state and task_state by default). */
async function waitFor(db: Database, uuid: string, vmState: string, taskState: string | null = null, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await instance(db, uuid);
    if (row.vm_state === vmState && row.task_state === taskState) return row;
    if (Date.now() > deadline) assert.fail(`instance ${uuid} is ${row.vm_state}/${row.task_state ?? 'None'}, expected ${vmState}/${taskState ?? 'None'}`);
    await sleep(5);
  }
}

/** Retries `check` until it passes: agents finish events and release claims just after the state change. */
async function eventually(check: () => Promise<void> | void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(5);
    }
  }
}

async function events(db: Database, uuid: string) {
  return tables(db)
    .selectFrom('compute_instance_action_events')
    .innerJoin('compute_instance_actions', 'compute_instance_actions.id', 'compute_instance_action_events.action_id')
    .select(['event', 'result', 'host'])
    .where('instance_uuid', '=', uuid)
    .orderBy('compute_instance_action_events.id')
    .execute();
}

async function faults(db: Database, uuid: string) {
  return tables(db).selectFrom('compute_instance_faults').selectAll().where('instance_uuid', '=', uuid).execute();
}

function usage(cloud: Cloud): number {
  return cloud.workers.scheduler.cache.hosts().reduce((sum, host) => sum + host.localGbUsed, 0);
}

async function setTask(db: Database, uuid: string, task: string): Promise<void> {
  await tables(db).updateTable('compute_instances').set({ task_state: task }).where('uuid', '=', uuid).execute();
}

describe('compute workers on the in-process bus (sqlite)', () => {
  test('a build lands on a host and becomes ACTIVE/running, with its events and one request id across the workers', async () => {
    await withCloud(3, async (cloud) => {
      const { uuid, context } = await newServer(cloud.db);
      await build(cloud, uuid, context);
      const row = await waitFor(cloud.db, uuid, 'active');
      assert.equal(row.power_state, 1);
      assert.ok(row.host?.startsWith('compute-'));
      assert.equal(row.node, row.host);
      assert.notEqual(row.launched_at, null);
      assert.ok(cloud.driver(row.host ?? '').inspect(uuid));
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

  test('stop, start, reboot soft and hard, console output and terminate through ComputeAgentApi', async () => {
    await withCloud(1, async (cloud) => {
      const { uuid, context } = await newServer(cloud.db);
      await build(cloud, uuid, context);
      await waitFor(cloud.db, uuid, 'active');
      const api = cloud.workers.computeAgentApi;
      await runWithContext(context, async () => {
        await setTask(cloud.db, uuid, 'powering-off');
        await api.stopInstance('compute-1', uuid, { clean: true });
        assert.equal((await waitFor(cloud.db, uuid, 'stopped')).power_state, 4);
        await setTask(cloud.db, uuid, 'powering-on');
        await api.startInstance('compute-1', uuid);
        assert.equal((await waitFor(cloud.db, uuid, 'active')).power_state, 1);
        await setTask(cloud.db, uuid, 'rebooting');
        await api.rebootInstance('compute-1', uuid, 'SOFT');
        await waitFor(cloud.db, uuid, 'active');
        await setTask(cloud.db, uuid, 'rebooting_hard');
        await api.rebootInstance('compute-1', uuid, 'HARD');
        await waitFor(cloud.db, uuid, 'active');
        const console = await api.getConsoleOutput('compute-1', uuid);
        assert.ok(console.length > 0);
        const last = await api.getConsoleOutput('compute-1', uuid, 1);
        assert.equal(last.split('\n').filter(Boolean).length, 1);
        await setTask(cloud.db, uuid, 'deleting');
        await api.terminateInstance('compute-1', uuid);
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
      await cloud.workers.computeAgentApi.stopInstance('compute-1', uuid, { clean: false });
      await sleep(30);
      assert.equal((await instance(cloud.db, uuid)).vm_state, 'active');
    });
  });

  test('105 concurrent builds on ten hosts with room for ten each: 100 ACTIVE, 5 ERROR, none overcommitted', async () => {
    await withCloud(10, async (cloud) => {
      const servers = await Promise.all(Array.from({ length: 105 }, () => newServer(cloud.db)));
      await Promise.all(servers.map(({ uuid, context }) => build(cloud, uuid, context)));
      const deadline = Date.now() + 10_000;
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
      const agents = await startComputeAgents({ transport: cloud.transport, images, driver: 'fake', hosts: ['compute-9'], stateDir: cloud.stateDir });
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
