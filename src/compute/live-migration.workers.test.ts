import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogRecord } from '../common/logging/format.js';
import { configureLogging } from '../common/logging/logger.js';
import { RemoteError } from '../common/bus/index.js';
import { runWithContext } from '../common/context/request-context.js';
import { ADMIN, insertInstance } from './db/testing/compute-db.js';
import { MigrationStore } from './db/migration-store.js';
import { createComputeStores } from './db/compute-stores.js';
import { toDbTimestamp } from '../common/db/timestamps.js';
import { MigrationStatus, MigrationType } from './moves/migration.js';
import { activeServer, allocations, forceDown, hostUsage, liveMigrate, migrationRow, serverInZone, zones } from './testing/moves.js';
import { events, eventually, faults, images, instance, specFor, tables, usage, waitFor, withCloud, type Cloud } from './testing/worker-cloud.js';
import { fakeDriverFactory } from './virt/fake/index.js';
import { startComputeAgents } from './workers.js';
import { PowerState } from './virt/power-state.js';

const records: LogRecord[] = [];
configureLogging({ sink: (_line, record) => records.push(record) });

async function waitForMigration(cloud: Cloud, id: number, status: string): Promise<void> {
  await eventually(async () => assert.equal((await migrationRow(cloud.db, id)).status, status));
}

/** Every claim of the instance is its own and on `host` (none left under a migration). */
function assertClaimsOnlyOn(cloud: Cloud, uuid: string, host: string): void {
  for (const agent of cloud.workers.agents) {
    const claims = cloud.workers.scheduler.cache.claimsOn(agent.host).filter((claim) => claim.instanceUuid === uuid);
    if (agent.host === host) assert.ok(claims.every((claim) => claim.migrationId === undefined), `${agent.host}: ${JSON.stringify(claims)}`);
    else assert.deepEqual(claims, [], agent.host);
  }
}

/** The instance is back as it was on compute-1: ACTIVE, no task, its guest there, nothing claimed elsewhere. */
async function assertStayedOnSource(cloud: Cloud, uuid: string, migrationId: number, status: string): Promise<void> {
  const row = await waitFor(cloud.db, uuid, 'active');
  assert.equal(row.host, 'compute-1');
  await waitForMigration(cloud, migrationId, status);
  assert.ok(cloud.driver('compute-1').inspect(uuid));
  assert.equal(cloud.driver('compute-2').inspect(uuid), undefined);
  await eventually(() => assert.equal(usage(cloud), 1));
  assert.equal(hostUsage(cloud, 'compute-2'), 0);
  assertClaimsOnlyOn(cloud, uuid, 'compute-1');
  assert.deepEqual((await allocations(cloud.db)).map(({ host }) => host), ['compute-1']);
}

describe('live migration on the in-process workers', () => {
  test('the scheduler picks another host; the guest moves there running and the claims follow it exactly once', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      const booted = await instance(cloud.db, uuid);
      assert.deepEqual([booted.host, booted.availability_zone], ['compute-1', 'nova']);
      // The destination is in another zone: the server takes it (Nova's LiveMigrationTask sets the destination's).
      const aggregates = createComputeStores(cloud.db).aggregates;
      await aggregates.addHost((await aggregates.create('edge-hosts', 'edge', toDbTimestamp(new Date()))).id, 'compute-2');
      const { migration, context } = await liveMigrate(cloud, uuid);
      await waitForMigration(cloud, migration.id, MigrationStatus.COMPLETED);
      const row = await waitFor(cloud.db, uuid, 'active');
      assert.deepEqual([row.host, row.node, row.power_state, row.availability_zone], ['compute-2', 'compute-2', PowerState.RUNNING, 'edge']);
      const modules = new Set(records.filter((record) => record.context?.requestId === context.requestId).map((record) => record.module));
      for (const module of ['nimbus.compute.conductor', 'nimbus.compute.scheduler.manager', 'nimbus.compute.manager']) {
        assert.ok(modules.has(module), `no ${module} line under ${context.requestId}: ${[...modules].join(', ')}`);
      }
      const done = await migrationRow(cloud.db, migration.id);
      assert.deepEqual([done.source_compute, done.dest_compute, done.dest_node], ['compute-1', 'compute-2', 'compute-2']);
      assert.equal(cloud.driver('compute-1').inspect(uuid), undefined);
      assert.equal(cloud.driver('compute-2').inspect(uuid)?.powerState, PowerState.RUNNING);
      // In the order they started: the conductor's checks (the destination's asks the source), then the source, which calls the destination.
      await eventually(async () =>
        assert.deepEqual(
          (await events(cloud.db, uuid)).slice(2).map(({ event, result, host }) => [event, result, host]),
          [
            ['conductor_live_migrate_instance', 'Success', 'controller'],
            ['compute_check_can_live_migrate_destination', 'Success', 'compute-2'],
            ['compute_check_can_live_migrate_source', 'Success', 'compute-1'],
            ['compute_live_migration', 'Success', 'compute-1'],
            ['compute_pre_live_migration', 'Success', 'compute-2'],
            ['compute_post_live_migration_at_destination', 'Success', 'compute-2'],
          ],
        ),
      );
      await eventually(() => assert.deepEqual([hostUsage(cloud, 'compute-1'), hostUsage(cloud, 'compute-2')], [0, 1]));
      assertClaimsOnlyOn(cloud, uuid, 'compute-2');
      assert.deepEqual(await allocations(cloud.db), [{ consumer: uuid, host: 'compute-2' }]);
      const nodes = await tables(cloud.db).selectFrom('compute_nodes').select(['host', 'local_gb_used', 'running_vms']).orderBy('host').execute();
      assert.deepEqual(nodes, [
        { host: 'compute-1', local_gb_used: 0, running_vms: 0 },
        { host: 'compute-2', local_gb_used: 1, running_vms: 1 },
      ]);
    });
  });

  test('a paused guest arrives paused', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      await cloud.driver('compute-1').pause({ uuid, name: `instance-${uuid.slice(0, 8)}` });
      await tables(cloud.db).updateTable('compute_instances').set({ vm_state: 'paused', power_state: PowerState.PAUSED }).where('uuid', '=', uuid).execute();
      const { migration } = await liveMigrate(cloud, uuid, { host: 'compute-2' });
      await waitForMigration(cloud, migration.id, MigrationStatus.COMPLETED);
      const row = await waitFor(cloud.db, uuid, 'paused');
      assert.deepEqual([row.host, row.power_state], ['compute-2', PowerState.PAUSED]);
      assert.equal(cloud.driver('compute-2').inspect(uuid)?.powerState, PowerState.PAUSED);
    });
  });

  test('refused destinations come back to a waiting API as 400s and change nothing but the migration', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      const refusals: [string, Parameters<typeof liveMigrate>[2], RegExp][] = [
        ['the same host', { host: 'compute-1' }, new RegExp(`^Unable to migrate instance \\(${uuid}\\) to current host \\(compute-1\\)\\.$`)],
        ['a host without room', { host: 'compute-2', force: true, wait: true }, /^Migration pre-check error: compute-2 does not have/],
      ];
      shrinkDisk(cloud, 'compute-2');
      for (const [what, options, message] of refusals) {
        const started = liveMigrate(cloud, uuid, { ...options, wait: true });
        const error = await started.then(() => undefined, (rejection: unknown) => rejection);
        assert.ok(error instanceof RemoteError, what);
        assert.equal(error.status, 400, what);
        assert.match(error.remoteMessage, message, what);
        const row = await instance(cloud.db, uuid);
        assert.deepEqual([row.vm_state, row.task_state, row.host], ['active', null, 'compute-1'], what);
      }
      assert.equal((await faults(cloud.db, uuid)).length, 2);
      assert.ok((await events(cloud.db, uuid)).filter((event) => event.event === 'conductor_live_migrate_instance').every((event) => event.result === 'Error'));
      assert.equal(usage(cloud), 1);
      assertClaimsOnlyOn(cloud, uuid, 'compute-1');
    });
  });

  test('hosts on one storage refuse a block migration (400) and change nothing', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      const error = await liveMigrate(cloud, uuid, { host: 'compute-2', blockMigration: true, wait: true }).then(() => undefined, (rejection: unknown) => rejection);
      assert.ok(error instanceof RemoteError);
      assert.equal(error.status, 400);
      assert.match(error.remoteMessage, /^compute-1 is not on local storage: Block migration can not be used with shared storage\.$/);
      const row = await instance(cloud.db, uuid);
      assert.deepEqual([row.vm_state, row.task_state, row.host], ['active', null, 'compute-1']);
      assert.equal(cloud.driver('compute-2').inspect(uuid), undefined);
      assertClaimsOnlyOn(cloud, uuid, 'compute-1');
    });
  });

  test('a destination whose service is down, and no host with room, are refused', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      await forceDown(cloud.db, 'compute-2');
      const down = await liveMigrate(cloud, uuid, { host: 'compute-2', wait: true }).then(() => undefined, (error: unknown) => error);
      assert.ok(down instanceof RemoteError);
      assert.equal(down.remoteMessage, 'Compute service of compute-2 is unavailable at this time.');
      await runWithContext({ requestId: 'req-services', roles: ['admin'], isAdmin: true }, () => cloud.workers.schedulerClient.updateService('compute-2', { forcedDown: true }));
      const { migration } = await liveMigrate(cloud, uuid);
      await waitForMigration(cloud, migration.id, MigrationStatus.ERROR);
      await waitFor(cloud.db, uuid, 'active');
      await eventually(async () => {
        const [, fault] = await faults(cloud.db, uuid);
        assert.match(fault?.message ?? '', /^No valid host was found/);
      });
      assert.equal(usage(cloud), 1);
    });
  });

  for (const [where, host, operation] of [
    ['preparing the destination', 'compute-2', 'preLiveMigration'],
    ['copying the guest', 'compute-1', 'liveMigration'],
  ] as const) {
    test(`a failure ${where} rolls back: the guest stays running on the source, the destination's claim goes`, async () => {
      await withCloud(2, async (cloud) => {
        const uuid = await activeServer(cloud);
        cloud.driver(host).faults.failNext(operation, { instanceUuid: uuid, message: `${operation} broke` });
        const { migration } = await liveMigrate(cloud, uuid);
        await assertStayedOnSource(cloud, uuid, migration.id, MigrationStatus.ERROR);
        await eventually(async () => {
          const failed = (await events(cloud.db, uuid)).filter((event) => event.result === 'Error').map((event) => event.event);
          assert.ok(failed.includes('compute_live_migration'), failed.join());
        });
        const [fault] = await faults(cloud.db, uuid);
        assert.match(fault?.message ?? '', new RegExp(`${operation} broke`));
        assert.equal(cloud.driver('compute-1').inspect(uuid)?.powerState, PowerState.RUNNING);
      });
    });
  }

  test('an abort while the guest copies leaves it on the source; force-complete finishes the next one at once', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      cloud.driver('compute-1').delays.set('liveMigration', 60_000);
      const first = await liveMigrate(cloud, uuid);
      await waitForMigration(cloud, first.migration.id, MigrationStatus.RUNNING);
      await runWithContext(first.context, () => cloud.workers.computeAgentApi.cast('compute-1', 'live_migration_abort', { instanceUuid: uuid, migrationId: first.migration.id }));
      await assertStayedOnSource(cloud, uuid, first.migration.id, MigrationStatus.CANCELLED);

      const second = await liveMigrate(cloud, uuid);
      await waitForMigration(cloud, second.migration.id, MigrationStatus.RUNNING);
      const started = Date.now();
      await runWithContext(second.context, () => cloud.workers.computeAgentApi.cast('compute-1', 'live_migration_force_complete', { instanceUuid: uuid, migrationId: second.migration.id }));
      await waitForMigration(cloud, second.migration.id, MigrationStatus.COMPLETED);
      assert.ok(Date.now() - started < 5000);
      assert.equal((await waitFor(cloud.db, uuid, 'active')).host, 'compute-2');
      await eventually(() => assert.equal(usage(cloud), 1));
      assertClaimsOnlyOn(cloud, uuid, 'compute-2');
      await eventually(async () => {
        const controls = (await events(cloud.db, uuid)).filter((event) => event.event.startsWith('compute_live_migration_'));
        assert.deepEqual(controls.map(({ event, result }) => [event, result]), [
          ['compute_live_migration_abort', 'Success'],
          ['compute_live_migration_force_complete', 'Success'],
        ]);
      });
    });
  });

  test('an abort while the destination prepares (2.65) is honoured before the copy starts', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      cloud.driver('compute-2').delays.set('preLiveMigration', 300);
      const { migration, context } = await liveMigrate(cloud, uuid);
      await waitForMigration(cloud, migration.id, MigrationStatus.PREPARING);
      await runWithContext(context, () => cloud.workers.computeAgentApi.cast('compute-1', 'live_migration_abort', { instanceUuid: uuid, migrationId: migration.id }));
      await assertStayedOnSource(cloud, uuid, migration.id, MigrationStatus.CANCELLED);
      await eventually(async () => {
        const rollback = (await events(cloud.db, uuid)).find((event) => event.event === 'compute_rollback_live_migration_at_destination');
        assert.deepEqual(rollback, { event: 'compute_rollback_live_migration_at_destination', result: 'Success', host: 'compute-2' });
      });
    });
  });

  test('a live migration that reaches a source no longer migrating gives the destination claim back', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      const migration = await new MigrationStore(cloud.db).create({ instanceUuid: uuid, type: MigrationType.LIVE_MIGRATION, status: MigrationStatus.QUEUED, sourceCompute: 'compute-1', sourceNode: 'compute-1', destCompute: 'compute-2' });
      const claimed = await runWithContext(ADMIN, () => cloud.workers.schedulerClient.claimOnHost(uuid, migration.uuid, { ...specFor([uuid]), instanceUuid: uuid }, 'compute-2'));
      assert.ok('selection' in claimed);
      // An admin reset the state after the conductor cast the migration.
      const args = { instanceUuid: uuid, migration: { id: migration.id, uuid: migration.uuid }, destHost: 'compute-2', destNode: 'compute-2', blockMigration: true };
      await runWithContext(ADMIN, () => cloud.workers.computeAgentApi.cast('compute-1', 'live_migration', args));
      await waitForMigration(cloud, migration.id, MigrationStatus.ERROR);
      await eventually(() => assert.deepEqual(cloud.workers.scheduler.cache.claimsOn('compute-2'), []));
      assert.equal(hostUsage(cloud, 'compute-2'), 0);
      assert.ok(cloud.driver('compute-1').inspect(uuid));
    });
  });

  test('an agent restarted during a live migration gives the destination claim back and clears the task', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await insertInstance(cloud.db, 'p1', { task_state: 'migrating', host: 'compute-9', node: 'compute-9' });
      const migration = await new MigrationStore(cloud.db).create({ instanceUuid: uuid, type: MigrationType.LIVE_MIGRATION, status: MigrationStatus.RUNNING, sourceCompute: 'compute-9', sourceNode: 'compute-9', destCompute: 'compute-2' });
      const spec = { ...specFor([uuid]), instanceUuid: uuid };
      const claimed = await runWithContext(ADMIN, () => cloud.workers.schedulerClient.claimOnHost(uuid, migration.uuid, spec, 'compute-2'));
      assert.ok('selection' in claimed);
      assert.equal(hostUsage(cloud, 'compute-2'), 1);
      const agents = await startComputeAgents({ transport: cloud.transport, images, drivers: fakeDriverFactory(), hosts: ['compute-9'], stateDir: cloud.stateDir });
      try {
        const row = await instance(cloud.db, uuid);
        assert.deepEqual([row.vm_state, row.task_state, row.host], ['active', null, 'compute-9']);
        assert.equal((await migrationRow(cloud.db, migration.id)).status, MigrationStatus.ERROR);
        assert.equal(hostUsage(cloud, 'compute-2'), 0);
        assert.deepEqual(cloud.workers.scheduler.cache.claimsOn('compute-2'), []);
      } finally {
        await agents.stop();
      }
    });
  });

  test('a server booted into a zone moves to another host of it, never of another zone; a named host of another zone is refused unless forced', async () => {
    await withCloud(3, async (cloud) => {
      await zones(cloud, { 'az-a': ['compute-1', 'compute-3'], 'az-b': ['compute-2'] });
      const uuid = await serverInZone(cloud, 'az-a');
      assert.equal((await instance(cloud.db, uuid)).host, 'compute-1');
      const { migration } = await liveMigrate(cloud, uuid);
      await waitForMigration(cloud, migration.id, MigrationStatus.COMPLETED);
      const moved = await waitFor(cloud.db, uuid, 'active');
      assert.deepEqual([moved.host, moved.availability_zone], ['compute-3', 'az-a']);

      // Not forced, the named host goes through the scheduler's filters, its zone's included (Nova 2.68+).
      const refused = await liveMigrate(cloud, uuid, { host: 'compute-2', wait: true }).then(() => undefined, (error: unknown) => error);
      assert.ok(refused instanceof RemoteError);
      assert.equal(refused.status, 400);
      assert.match(refused.remoteMessage, /^No valid host was found/);
      const kept = await instance(cloud.db, uuid);
      assert.deepEqual([kept.vm_state, kept.task_state, kept.host], ['active', null, 'compute-3']);

      // Forced (before 2.68), Nova claims on the host without the filters: the server takes its zone.
      const forced = await liveMigrate(cloud, uuid, { host: 'compute-2', force: true });
      await waitForMigration(cloud, forced.migration.id, MigrationStatus.COMPLETED);
      const row = await waitFor(cloud.db, uuid, 'active');
      assert.deepEqual([row.host, row.availability_zone], ['compute-2', 'az-b']);
    });
  });

  test('with no other host up in its zone: NoValidHost, the migration in error and the server ACTIVE where it was', async () => {
    await withCloud(3, async (cloud) => {
      await zones(cloud, { 'az-a': ['compute-1'], 'az-b': ['compute-2', 'compute-3'] });
      const uuid = await serverInZone(cloud, 'az-a');
      const { migration } = await liveMigrate(cloud, uuid);
      await waitForMigration(cloud, migration.id, MigrationStatus.ERROR);
      const row = await waitFor(cloud.db, uuid, 'active');
      assert.deepEqual([row.host, row.availability_zone], ['compute-1', 'az-a']);
      await eventually(async () => {
        const [fault] = await faults(cloud.db, uuid);
        assert.match(fault?.message ?? '', /^No valid host was found/);
        assert.deepEqual((await events(cloud.db, uuid)).at(-1), { event: 'conductor_live_migrate_instance', result: 'Error', host: 'controller' });
      });
      assert.deepEqual([hostUsage(cloud, 'compute-2'), hostUsage(cloud, 'compute-3')], [0, 0]);
      assertClaimsOnlyOn(cloud, uuid, 'compute-1');
    });
  });
});

/** Shrinks a host's disk in the scheduler's view, as its next resource report would. */
function shrinkDisk(cloud: Cloud, host: string): void {
  const state = cloud.workers.scheduler.cache.get(host);
  assert.ok(state);
  const { vcpus, vcpusUsed, memoryMb, memoryMbUsed, localGbUsed, hypervisorType, hypervisorVersion } = state;
  cloud.workers.scheduler.cache.upsertNode({ host, vcpus, vcpusUsed, memoryMb, memoryMbUsed, localGb: 0, localGbUsed, hypervisorType, hypervisorVersion, instanceUuids: [...state.instances] });
}
