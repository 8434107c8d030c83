import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { runWithContext } from '../../common/context/request-context.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { FakeDriver } from '../virt/fake/index.js';
import { insertInstance, withComputeDb } from './testing/compute-db.js';
import type { ComputeTables } from './tables.js';
import { InstanceStore } from './instance-store.js';
import { NodeStore } from './node-store.js';
import { ActionStore } from './action-store.js';

for (const dialect of DIALECTS) {
  describe(`conductor stores (${dialect})`, async () => {
    const skip = await unavailable(dialect);

    test('instance updates are compare-and-set, soft-delete stamps deleted_at, faults and events land on the request\'s action', { skip }, async () => {
      await withComputeDb(dialect, async (db) => {
        const store = new InstanceStore(db);
        const uuid = await insertInstance(db, 'p1', { vm_state: 'building', task_state: 'scheduling', host: null, node: null });
        const now = toDbTimestamp(new Date());
        const tables = db.kysely.withTables<ComputeTables>();
        await tables
          .insertInto('compute_instance_actions')
          .values({ instance_uuid: uuid, action: 'create', request_id: 'req-1', user_id: null, project_id: 'p1', start_time: now, finish_time: null, message: null, created_at: now, updated_at: now })
          .execute();

        assert.equal(await store.update({ uuid, expected: { taskState: ['spawning'] }, changes: { taskState: null } }), false);
        assert.equal(await store.update({ uuid, expected: { vmState: ['building'], taskState: ['scheduling'] }, changes: { host: 'h1', node: 'h1' } }), true);
        assert.deepEqual((await store.onHost('h1')).map((instance) => instance.uuid), [uuid]);
        assert.equal((await store.get(uuid))?.flavor.vcpus, 1);
        // The server's metadata travels with it to the agent (the config drive's `meta`).
        assert.deepEqual((await store.get(uuid))?.metadata, {});
        await tables.insertInto('compute_instance_metadata').values([{ instance_uuid: uuid, key: 'role', value: 'web' }, { instance_uuid: uuid, key: 'tier', value: '1' }]).execute();
        assert.deepEqual((await store.get(uuid))?.metadata, { role: 'web', tier: '1' });
        assert.deepEqual((await store.onHost('h1')).map((instance) => instance.metadata), [{ role: 'web', tier: '1' }]);

        await runWithContext({ requestId: 'req-1' }, async () => {
          await new ActionStore(db).eventStart({ uuid, event: 'compute_x', host: 'h1' });
          await new ActionStore(db).eventFinish({ uuid, event: 'compute_x', host: 'h1', result: 'Error', traceback: 'boom' });
        });
        const events = await tables.selectFrom('compute_instance_action_events').selectAll().execute();
        assert.equal(events.length, 1);
        assert.equal(events[0]?.result, 'Error');
        assert.notEqual(events[0]?.finish_time, null);
        assert.equal((await tables.selectFrom('compute_instance_actions').select('message').executeTakeFirst())?.message, 'Error');

        await store.addFault({ uuid, code: 500, message: 'boom', host: 'h1' });
        assert.equal((await tables.selectFrom('compute_instance_faults').selectAll().execute()).length, 1);

        assert.equal(await store.update({ uuid, expected: {}, changes: { vmState: 'deleted', deleted: true } }), true);
        const row = await tables.selectFrom('compute_instances').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
        assert.equal(Boolean(row.deleted), true);
        assert.notEqual(row.deleted_at, null);
        assert.equal(await store.get(uuid), undefined);
      });
    });

    test('node reports upsert one row per host; allocations follow claims', { skip }, async () => {
      await withComputeDb(dialect, async (db) => {
        const nodes = new NodeStore(db);
        const resources = await new FakeDriver({ host: 'h1' }).getAvailableResource();
        const id = await nodes.upsert('h1', resources);
        assert.equal(await nodes.upsert('h1', { ...resources, vcpusUsed: 3 }), id);
        const tables = db.kysely.withTables<ComputeTables>();
        assert.equal((await tables.selectFrom('compute_nodes').select('vcpus_used').executeTakeFirstOrThrow()).vcpus_used, 3);
        await nodes.recordAllocation('i1', 'h1', { vcpus: 1, memoryMb: 512, diskMb: 1536 });
        assert.equal((await tables.selectFrom('compute_allocations').select('disk_gb').executeTakeFirstOrThrow()).disk_gb, 2);
        await nodes.deleteAllocations('i1', 'elsewhere');
        assert.equal((await tables.selectFrom('compute_allocations').selectAll().execute()).length, 1);
        await nodes.deleteAllocations('i1');
        assert.equal((await tables.selectFrom('compute_allocations').selectAll().execute()).length, 0);
      });
    });
  });
}
