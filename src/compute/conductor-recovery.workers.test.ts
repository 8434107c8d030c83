import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { LogRecord } from '../common/logging/format.js';
import { configureLogging } from '../common/logging/logger.js';
import { ConductorService } from './conductor/conductor-service.js';
import { ConductorTask } from './conductor/task-owner.js';
import { createComputeStores } from './db/compute-stores.js';
import type { ConductorOwner } from './db/conductor-task-store.js';
import { MigrationStatus, type MigrationRow } from './moves/migration.js';
import { activeServer, allocations, liveMigrate, migrationRow } from './testing/moves.js';
import { build, eventually, faults, instance, newServer, setTask, tables, waitFor, withCloud, type Cloud } from './testing/worker-cloud.js';
import { toDbTimestamp } from '../common/db/timestamps.js';
import { TaskState } from './state/task-states.js';

const records: LogRecord[] = [];
configureLogging({ sink: (_line, record) => records.push(record) });

const RESOURCES = { vcpus: 1, memoryMb: 128, diskMb: 1024 };

/** A conductor that is not running: no service row is up for its host. */
const DEAD: ConductorOwner = { host: 'dead-conductor', boot: randomUUID() };

function recordTask(cloud: Cloud, owner: ConductorOwner, instanceUuid: string, task: ConductorTask, requestId: string, migrationId: number | null = null): Promise<void> {
  return createComputeStores(cloud.db).conductorTasks.take(owner, { instanceUuid, task, requestId, migrationId });
}

/** The WARNING lines recovery wrote for the instance. */
function warningsFor(uuid: string): LogRecord[] {
  return records.filter((record) => record.level === 'WARNING' && record.instance === uuid && record.message.includes('stopped while running'));
}

/** A migration of `uuid` from compute-1, as the API (or the conductor) records it. */
function newMigration(cloud: Cloud, uuid: string, type: 'live-migration' | 'resize', status: MigrationStatus, newFlavorId: string): Promise<MigrationRow> {
  return createComputeStores(cloud.db).migrations.create({
    instanceUuid: uuid,
    type,
    status,
    sourceCompute: 'compute-1',
    sourceNode: 'compute-1',
    oldFlavorId: '1',
    newFlavorId,
    userId: 'user-of-p1',
    projectId: 'p1',
  });
}

function secondConductor(cloud: Cloud, host: string, instanceBuildTimeoutSeconds?: number): ConductorService {
  return new ConductorService({
    stores: createComputeStores(cloud.db),
    transport: cloud.transport,
    registry: cloud.workers.registry,
    host,
    ...(instanceBuildTimeoutSeconds === undefined ? {} : { instanceBuildTimeoutSeconds }),
  });
}

/** Places the server on `host` as a conductor does before its cast: the claim recorded, the host set, still scheduling. */
async function placeWithoutCast(cloud: Cloud, uuid: string, host: string): Promise<void> {
  const stores = createComputeStores(cloud.db);
  await stores.nodes.recordAllocation(uuid, host, RESOURCES);
  assert.ok(await stores.instances.update({ uuid, expected: { taskState: [TaskState.SCHEDULING] }, changes: { host, node: host } }));
}

describe('conductor recovery of the tasks a dead conductor left', () => {
  test('a build not yet on a host ends in ERROR with a fault and its claim released, logged once under its request id', async () => {
    await withCloud(1, async (cloud) => {
      const { uuid, context } = await newServer(cloud.db);
      await createComputeStores(cloud.db).nodes.recordAllocation(uuid, 'compute-1', RESOURCES);
      await recordTask(cloud, DEAD, uuid, ConductorTask.BUILD, context.requestId);

      assert.equal(await cloud.workers.conductor.recoverOrphanedTasks(), 1);
      const row = await waitFor(cloud.db, uuid, 'error');
      assert.equal(row.host, null);
      const [fault, ...more] = await faults(cloud.db, uuid);
      assert.deepEqual(more, []);
      assert.match(fault?.message ?? '', /The conductor building this server stopped/);
      assert.deepEqual(await allocations(cloud.db), []);
      const [warning, ...others] = warningsFor(uuid);
      assert.deepEqual(others, []);
      assert.equal(warning?.context?.requestId, context.requestId);
      assert.deepEqual(await createComputeStores(cloud.db).conductorTasks.list(), []);
      assert.equal(await cloud.workers.conductor.recoverOrphanedTasks(), 0, 'settled once');
    });
  });

  test("a task of a live conductor is left alone; one of this host's earlier boot is settled", async () => {
    await withCloud(1, async (cloud) => {
      const registry = cloud.workers.registry;
      await registry.register({ binary: 'nova-conductor', host: 'live-conductor', topic: 'conductor' });
      const live = await newServer(cloud.db);
      await recordTask(cloud, { host: 'live-conductor', boot: randomUUID() }, live.uuid, ConductorTask.BUILD, live.context.requestId);
      const earlierBoot = await newServer(cloud.db);
      await recordTask(cloud, { host: 'controller', boot: randomUUID() }, earlierBoot.uuid, ConductorTask.BUILD, earlierBoot.context.requestId);

      assert.equal(await cloud.workers.conductor.recoverOrphanedTasks(), 1);
      await waitFor(cloud.db, live.uuid, 'building', 'scheduling');
      assert.deepEqual(await faults(cloud.db, live.uuid), []);
      assert.deepEqual(warningsFor(live.uuid), []);
      await waitFor(cloud.db, earlierBoot.uuid, 'error');
      assert.deepEqual((await createComputeStores(cloud.db).conductorTasks.list()).map((row) => row.instance_uuid), [live.uuid]);
    });
  });

  test('a build a dead conductor placed on a host is left to that host', async () => {
    await withCloud(1, async (cloud) => {
      const uuid = await activeServer(cloud);
      await recordTask(cloud, DEAD, uuid, ConductorTask.BUILD, 'req-00000000-0000-0000-0000-000000000000');
      assert.equal(await cloud.workers.conductor.recoverOrphanedTasks(), 1);
      await waitFor(cloud.db, uuid, 'active');
      assert.deepEqual(await faults(cloud.db, uuid), []);
      assert.deepEqual(warningsFor(uuid), [], 'nothing changed: no warning');
    });
  });

  test('a build a dead conductor placed on a host but never cast there (still scheduling): ERROR with a fault, its claim released; the late cast is ignored', async () => {
    await withCloud(1, async (cloud) => {
      const { uuid, context } = await newServer(cloud.db);
      await placeWithoutCast(cloud, uuid, 'compute-1');
      await recordTask(cloud, DEAD, uuid, ConductorTask.BUILD, context.requestId);

      assert.equal(await cloud.workers.conductor.recoverOrphanedTasks(), 1);
      const row = await waitFor(cloud.db, uuid, 'error');
      assert.equal(row.host, null);
      assert.match((await faults(cloud.db, uuid))[0]?.message ?? '', /stopped before the build started on a host/);
      assert.deepEqual(await allocations(cloud.db), []);
      assert.equal(warningsFor(uuid).length, 1);
    });
  });

  test('instance_build_timeout: servers in BUILD longer go to ERROR with Nova\'s fault; one waiting for a host gives its claim back, one on a host keeps it; newer ones and 0 are left alone', async () => {
    await withCloud(1, async (cloud) => {
      const waiting = await newServer(cloud.db);
      const placed = await newServer(cloud.db);
      const recent = await newServer(cloud.db);
      await createComputeStores(cloud.db).nodes.recordAllocation(waiting.uuid, 'compute-1', RESOURCES);
      await placeWithoutCast(cloud, placed.uuid, 'compute-1');
      const hourAgo = toDbTimestamp(new Date(Date.now() - 3_600_000));
      await tables(cloud.db).updateTable('compute_instances').set({ created_at: hourAgo }).where('uuid', 'in', [waiting.uuid, placed.uuid]).execute();
      await tables(cloud.db).updateTable('compute_instances').set({ created_at: toDbTimestamp(new Date()) }).where('uuid', '=', recent.uuid).execute();

      assert.equal(await secondConductor(cloud, 'controller-2').checkInstanceBuildTime(), 0, 'instance_build_timeout 0: off');
      assert.equal(await secondConductor(cloud, 'controller-2', 600).checkInstanceBuildTime(), 2);
      for (const { uuid } of [waiting, placed]) {
        await waitFor(cloud.db, uuid, 'error');
        assert.deepEqual((await faults(cloud.db, uuid)).map((fault) => fault.message), ['Instance build timed out. Set to error state.']);
      }
      assert.equal((await instance(cloud.db, placed.uuid)).host, 'compute-1');
      assert.deepEqual((await allocations(cloud.db)).map(({ consumer }) => consumer), [placed.uuid]);
      await waitFor(cloud.db, recent.uuid, 'building', 'scheduling');
      assert.ok(records.some((record) => record.level === 'WARNING' && record.instance === waiting.uuid && record.message === 'Instance build timed out. Set to error state.'));
    });
  });

  test('two conductors sweeping at once settle each task exactly once', async () => {
    await withCloud(1, async (cloud) => {
      const uuids: string[] = [];
      for (let index = 0; index < 8; index += 1) {
        const { uuid, context } = await newServer(cloud.db);
        await recordTask(cloud, DEAD, uuid, ConductorTask.BUILD, context.requestId);
        uuids.push(uuid);
      }
      const other = secondConductor(cloud, 'controller-2');
      const settled = await Promise.all([cloud.workers.conductor.recoverOrphanedTasks(), other.recoverOrphanedTasks()]);
      assert.equal(settled[0] + settled[1], uuids.length);
      for (const uuid of uuids) {
        await waitFor(cloud.db, uuid, 'error');
        assert.equal((await faults(cloud.db, uuid)).length, 1, uuid);
        assert.equal(warningsFor(uuid).length, 1, uuid);
      }
    });
  });

  test('a live migration in its pre-checks: the migration in error, the server stays ACTIVE on its host, the claim released', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      const stores = createComputeStores(cloud.db);
      const migration = await newMigration(cloud, uuid, 'live-migration', MigrationStatus.ACCEPTED, '1');
      await stores.nodes.recordAllocation(migration.uuid, 'compute-2', RESOURCES);
      await setTask(cloud.db, uuid, 'migrating');
      await recordTask(cloud, DEAD, uuid, ConductorTask.LIVE_MIGRATE, 'req-11111111-1111-1111-1111-111111111111', migration.id);

      assert.equal(await cloud.workers.conductor.recoverOrphanedTasks(), 1);
      const row = await waitFor(cloud.db, uuid, 'active', null);
      assert.equal(row.host, 'compute-1');
      assert.equal((await migrationRow(cloud.db, migration.id)).status, MigrationStatus.ERROR);
      assert.deepEqual((await allocations(cloud.db)).map(({ consumer }) => consumer), [uuid]);
      assert.equal(warningsFor(uuid).length, 1);
    });
  });

  test('a resize before prep_resize reached a destination: migration in error, task cleared, destination claim released', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      const stores = createComputeStores(cloud.db);
      const migration = await newMigration(cloud, uuid, 'resize', MigrationStatus.PRE_MIGRATING, '2');
      await stores.nodes.recordAllocation(migration.uuid, 'compute-2', RESOURCES);
      await setTask(cloud.db, uuid, 'resize_prep');
      await recordTask(cloud, DEAD, uuid, ConductorTask.MIGRATE, 'req-22222222-2222-2222-2222-222222222222');

      assert.equal(await cloud.workers.conductor.recoverOrphanedTasks(), 1);
      await waitFor(cloud.db, uuid, 'active', null);
      assert.equal((await migrationRow(cloud.db, migration.id)).status, MigrationStatus.ERROR);
      assert.deepEqual((await allocations(cloud.db)).map(({ consumer }) => consumer), [uuid]);
      assert.match((await faults(cloud.db, uuid))[0]?.message ?? '', /resize did not happen/);
    });
  });

  test('a task runs as its conductor\'s and the record goes when it ends', async () => {
    await withCloud(1, async (cloud) => {
      const uuid = await activeServer(cloud);
      assert.deepEqual(await createComputeStores(cloud.db).conductorTasks.list(), [], `no record left after the build of ${uuid}`);
    });
  });
  test('a live migration and a boot whose casts no conductor took (every conductor down) are settled by the next conductor to start', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      await cloud.workers.conductor.stop();
      const { migration, context } = await liveMigrate(cloud, uuid);
      const boot = await newServer(cloud.db);
      await build(cloud, boot.uuid, boot.context);
      const tasks = createComputeStores(cloud.db).conductorTasks;
      await eventually(async () => assert.deepEqual((await tasks.list()).map((row) => [row.instance_uuid, row.task, row.request_id]).sort(), [
        [uuid, ConductorTask.LIVE_MIGRATE, context.requestId],
        [boot.uuid, ConductorTask.BUILD, boot.context.requestId],
      ].sort()));
      assert.equal((await instance(cloud.db, uuid)).task_state, 'migrating');

      const next = secondConductor(cloud, 'controller-2');
      await next.start();
      try {
        const row = await waitFor(cloud.db, uuid, 'active', null);
        assert.equal(row.host, 'compute-1');
        assert.equal((await migrationRow(cloud.db, migration.id)).status, MigrationStatus.ERROR);
        assert.match((await faults(cloud.db, uuid))[0]?.message ?? '', /live migration did not happen/);
        await waitFor(cloud.db, boot.uuid, 'error', null);
        const settled = records.filter((record) => record.level === 'WARNING' && record.message.startsWith('No conductor took the '));
        assert.deepEqual(settled.map((record) => [record.instance, record.context?.requestId]).sort(), [[uuid, context.requestId], [boot.uuid, boot.context.requestId]].sort());
        assert.deepEqual(await tasks.list(), []);
      } finally {
        await next.stop();
      }
    });
  });
});
