import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeStore } from '../../db/node-store.js';
import { insertInstance, memberOf } from '../../db/testing/compute-db.js';
import type { ComputeTables } from '../../db/tables.js';
import { FakeDriver } from '../../virt/fake/fake-driver.js';
import { withComputeApp } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');
const NOT_SUPPORTED = { notImplemented: { code: 501, message: 'The requested functionality is not supported.' } };

test('an action the host driver does not offer is Nova 501 before anything changes; the 409 of a wrong state comes first', () =>
  withComputeApp(async ({ call, db, recorded }) => {
    // compute-1's agent reported a driver without pause, rescue or snapshots.
    const driver = new FakeDriver({ host: 'compute-1', capabilities: { supportsPause: false, supportsRescue: false, supportsSnapshot: false } });
    await new NodeStore(db).upsert('compute-1', await driver.getAvailableResource(), driver.capabilities);
    const id = await insertInstance(db, 'demo');
    const act = (body: unknown) => call('POST', `/servers/${id}/action`, { body, as: DEMO });

    for (const body of [{ pause: null }, { rescue: null }, { createImage: { name: 'snap' } }, { shelve: null }]) {
      const refused = await act(body);
      assert.deepEqual([refused.status, refused.json], [501, NOT_SUPPORTED], JSON.stringify(body));
    }
    const row = await db.kysely.withTables<ComputeTables>().selectFrom('compute_instances').selectAll().where('uuid', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual([row.vm_state, row.task_state], ['active', null]);
    assert.deepEqual(recorded.agent, []);
    assert.deepEqual([recorded.snapshots.size, recorded.deletedImages], [0, []], 'no snapshot record was made');
    const actions = (await call('GET', `/servers/${id}/os-instance-actions`, { as: DEMO })).json['instanceActions'];
    assert.deepEqual(actions, []);

    const unpause = await act({ unpause: null });
    assert.deepEqual([unpause.status, unpause.json], [409, { conflictingRequest: { code: 409, message: `Cannot 'unpause' instance ${id} while it is in vm_state active` } }]);
    // What the driver offers still goes through.
    assert.equal((await act({ suspend: null })).status, 202);
    assert.deepEqual(recorded.agent.map(({ verb }) => verb), ['suspend_instance']);
  }));
