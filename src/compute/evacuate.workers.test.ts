import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runWithContext } from '../common/context/request-context.js';
import { toDbTimestamp } from '../common/db/timestamps.js';
import { createComputeStores } from './db/compute-stores.js';
import { ADMIN } from './db/testing/compute-db.js';
import { MigrationStatus } from './moves/migration.js';
import { activeServer, allocations, disableService, evacuate, forceDown, hostUsage, liftForcedDown, migrationRow, serverInZone, zones } from './testing/moves.js';
import { events, eventually, faults, instance, tables, usage, waitFor, withCloud, type Cloud } from './testing/worker-cloud.js';
import { PowerState } from './virt/power-state.js';

/** compute-1 goes down: its agent stops, and the operator forces its service down. */
async function sourceDown(cloud: Cloud): Promise<void> {
  const [source] = cloud.workers.agents;
  assert.equal(source?.host, 'compute-1');
  await source.stop();
  await forceDown(cloud.db, 'compute-1');
  await runWithContext(ADMIN, () => cloud.workers.schedulerClient.updateService('compute-1', { forcedDown: true }));
}

async function sourceBack(cloud: Cloud): Promise<void> {
  await liftForcedDown(cloud.db, 'compute-1');
  await cloud.workers.agents[0]?.start();
}

describe('evacuation on the in-process workers', () => {
  test('rebuilds the guest of a down host on another; the host, back, destroys its stale copy and the usage is the same as before', async () => {
    await withCloud(3, async (cloud) => {
      const uuid = await activeServer(cloud);
      assert.equal(usage(cloud), 1);
      await sourceDown(cloud);
      const { migration } = await evacuate(cloud, uuid);
      const row = await waitFor(cloud.db, uuid, 'active');
      assert.notEqual(row.host, 'compute-1');
      assert.equal(row.node, row.host);
      assert.equal(row.power_state, PowerState.RUNNING);
      const destination = row.host ?? '';
      assert.equal(cloud.driver(destination).inspect(uuid)?.powerState, PowerState.RUNNING);
      const done = await migrationRow(cloud.db, migration.id);
      assert.deepEqual([done.status, done.source_compute, done.dest_compute], [MigrationStatus.DONE, 'compute-1', destination]);
      await eventually(async () =>
        assert.deepEqual(
          (await events(cloud.db, uuid)).slice(2).map(({ event, result, host }) => [event, result, host]),
          [
            ['conductor_rebuild_instance', 'Success', 'controller'],
            ['compute_rebuild_instance', 'Success', destination],
          ],
        ),
      );
      await eventually(() => assert.equal(hostUsage(cloud, destination), 1));
      assert.deepEqual(await allocations(cloud.db), [{ consumer: uuid, host: destination }]);
      // The down host still runs its copy as far as it knows.
      assert.ok(cloud.driver('compute-1').inspect(uuid));

      await sourceBack(cloud);
      assert.equal(cloud.driver('compute-1').inspect(uuid), undefined);
      assert.equal((await migrationRow(cloud.db, migration.id)).status, MigrationStatus.COMPLETED);
      const after = await instance(cloud.db, uuid);
      assert.deepEqual([after.vm_state, after.task_state, after.host], ['active', null, destination]);
      assert.ok(cloud.driver(destination).inspect(uuid));
      assert.equal(hostUsage(cloud, 'compute-1'), 0);
      assert.equal(usage(cloud), 1);
    });
  });

  test('a host back while its server is still being evacuated destroys its copy and leaves the server to the evacuation', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      await sourceDown(cloud);
      cloud.driver('compute-2').delays.set('spawn', 1000);
      const { migration } = await evacuate(cloud, uuid);
      await eventually(async () => assert.equal((await migrationRow(cloud.db, migration.id)).status, MigrationStatus.PRE_MIGRATING));
      await sourceBack(cloud);
      assert.equal(cloud.driver('compute-1').inspect(uuid), undefined);
      const during = await instance(cloud.db, uuid);
      assert.deepEqual([during.vm_state, during.task_state, during.host], ['active', 'rebuilding', 'compute-1']);
      assert.equal((await waitFor(cloud.db, uuid, 'active')).host, 'compute-2');
      assert.equal((await migrationRow(cloud.db, migration.id)).status, MigrationStatus.DONE);
      await eventually(() => assert.deepEqual([hostUsage(cloud, 'compute-1'), hostUsage(cloud, 'compute-2')], [0, 1]));
    });
  });

  test("a stopped server is rebuilt stopped, on the host named, and takes that host's zone", async () => {
    await withCloud(3, async (cloud) => {
      const uuid = await activeServer(cloud);
      const aggregates = createComputeStores(cloud.db).aggregates;
      await aggregates.addHost((await aggregates.create('edge-hosts', 'edge', toDbTimestamp(new Date()))).id, 'compute-3');
      await tables(cloud.db).updateTable('compute_instances').set({ vm_state: 'stopped', power_state: PowerState.SHUTDOWN }).where('uuid', '=', uuid).execute();
      await sourceDown(cloud);
      await evacuate(cloud, uuid, { host: 'compute-3', force: true });
      const row = await waitFor(cloud.db, uuid, 'stopped');
      assert.deepEqual([row.host, row.power_state, row.availability_zone], ['compute-3', PowerState.SHUTDOWN, 'edge']);
      assert.equal(cloud.driver('compute-3').inspect(uuid)?.powerState, PowerState.SHUTDOWN);
    });
  });

  test('a failed rebuild leaves the server in ERROR on its old host and gives the destination claim back', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      await sourceDown(cloud);
      cloud.driver('compute-2').faults.failNext('spawn', { instanceUuid: uuid, message: 'no disk for you' });
      const { migration } = await evacuate(cloud, uuid);
      const row = await waitFor(cloud.db, uuid, 'error');
      assert.equal(row.host, 'compute-1');
      await eventually(async () => assert.equal((await migrationRow(cloud.db, migration.id)).status, MigrationStatus.FAILED));
      // The fault and the failed event are written just after the state.
      await eventually(async () => {
        const [fault] = await faults(cloud.db, uuid);
        assert.match(fault?.message ?? '', /no disk for you/);
        assert.deepEqual((await events(cloud.db, uuid)).at(-1), { event: 'compute_rebuild_instance', result: 'Error', host: 'compute-2' });
      });
      await eventually(() => assert.equal(hostUsage(cloud, 'compute-2'), 0));
      assert.deepEqual(cloud.workers.scheduler.cache.claimsOn('compute-2'), []);
      assert.deepEqual(await allocations(cloud.db), [{ consumer: uuid, host: 'compute-1' }]);

      // ERROR servers may be evacuated again; this time it works.
      await evacuate(cloud, uuid);
      assert.equal((await waitFor(cloud.db, uuid, 'active')).host, 'compute-2');
      await eventually(() => assert.equal(hostUsage(cloud, 'compute-2'), 1));
    });
  });

  test('a caller who says the disks are on shared storage when they are not (before 2.14) gets ERROR and the claim back', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      await sourceDown(cloud);
      const { migration } = await evacuate(cloud, uuid, { onSharedStorage: true });
      assert.equal((await waitFor(cloud.db, uuid, 'error')).host, 'compute-1');
      await eventually(async () => {
        assert.equal((await migrationRow(cloud.db, migration.id)).status, MigrationStatus.FAILED);
        assert.match((await faults(cloud.db, uuid))[0]?.message ?? '', /^Invalid state of instance files on shared storage$/);
      });
      assert.equal(cloud.driver('compute-2').inspect(uuid), undefined);
      await eventually(() => assert.equal(hostUsage(cloud, 'compute-2'), 0));
    });
  });

  test('with no other host up, the evacuation fails in the conductor and the server goes to ERROR on its old host (Nova: NoValidHost)', async () => {
    await withCloud(2, async (cloud) => {
      const uuid = await activeServer(cloud);
      await sourceDown(cloud);
      await disableService(cloud.db, 'compute-2');
      await runWithContext(ADMIN, () => cloud.workers.schedulerClient.updateService('compute-2', { disabled: true }));
      const { migration } = await evacuate(cloud, uuid);
      await eventually(async () => assert.equal((await migrationRow(cloud.db, migration.id)).status, MigrationStatus.ERROR));
      const row = await waitFor(cloud.db, uuid, 'error');
      assert.equal(row.host, 'compute-1');
      await eventually(async () => {
        const [fault] = await faults(cloud.db, uuid);
        assert.match(fault?.message ?? '', /^No valid host was found/);
        assert.deepEqual((await events(cloud.db, uuid)).at(-1), { event: 'conductor_rebuild_instance', result: 'Error', host: 'controller' });
      });
      assert.equal(usage(cloud), 1);
    });
  });

  test('a server booted into a zone is rebuilt on another host of it, never of another zone, and not at all when its zone has none up', async () => {
    await withCloud(4, async (cloud) => {
      await zones(cloud, { 'az-a': ['compute-1', 'compute-4'], 'az-b': ['compute-2', 'compute-3'] });
      const uuid = await serverInZone(cloud, 'az-a');
      await sourceDown(cloud);
      await evacuate(cloud, uuid);
      const row = await waitFor(cloud.db, uuid, 'active');
      assert.deepEqual([row.host, row.availability_zone], ['compute-4', 'az-a']);

      // compute-4 goes down too: no host of az-a is left, and az-b's are not asked.
      const other = await serverInZone(cloud, 'az-a');
      await forceDown(cloud.db, 'compute-4');
      await runWithContext(ADMIN, () => cloud.workers.schedulerClient.updateService('compute-4', { forcedDown: true }));
      const { migration } = await evacuate(cloud, other);
      await eventually(async () => assert.equal((await migrationRow(cloud.db, migration.id)).status, MigrationStatus.ERROR));
      const failed = await waitFor(cloud.db, other, 'error');
      assert.deepEqual([failed.host, failed.availability_zone], ['compute-4', 'az-a']);
      await eventually(async () => assert.match((await faults(cloud.db, other))[0]?.message ?? '', /^No valid host was found/));
      assert.deepEqual([hostUsage(cloud, 'compute-2'), hostUsage(cloud, 'compute-3')], [0, 0]);
    });
  });
});
