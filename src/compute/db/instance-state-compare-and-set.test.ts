import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import type { Database } from '../../common/db/database.js';
import { insertInstance, withComputeDb } from './testing/compute-db.js';
import type { ComputeTables } from './tables.js';
import { compareAndSetInstanceState } from './instance-state-compare-and-set.js';
import { PowerState } from '../virt/power-state.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';

async function stateOf(db: Database, uuid: string) {
  return db.kysely
    .withTables<ComputeTables>()
    .selectFrom('compute_instances')
    .select(['vm_state', 'task_state', 'power_state'])
    .where('uuid', '=', uuid)
    .executeTakeFirstOrThrow();
}

for (const dialect of DIALECTS) {
  describe(`instance state compare-and-set on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('two concurrent transitions of one instance: exactly one wins', () =>
      withComputeDb(dialect, async (db) => {
        const uuid = await insertInstance(db, 'p');
        const fromIdle = { vmState: [VmState.ACTIVE], taskState: [null] };
        const outcomes = await Promise.all([
          compareAndSetInstanceState(db, uuid, fromIdle, { task_state: TaskState.POWERING_OFF }),
          compareAndSetInstanceState(db, uuid, fromIdle, { task_state: TaskState.REBOOTING }),
        ]);
        assert.deepEqual(
          outcomes.filter((won) => won),
          [true],
        );
        const after = await stateOf(db, uuid);
        assert.equal(after.task_state, outcomes[0] ? TaskState.POWERING_OFF : TaskState.REBOOTING);
      }));

    test('many racers from the same state: one winner', () =>
      withComputeDb(dialect, async (db) => {
        const uuid = await insertInstance(db, 'p');
        const outcomes = await Promise.all(
          Array.from({ length: 10 }, () => compareAndSetInstanceState(db, uuid, { vmState: [VmState.ACTIVE], taskState: [null] }, { task_state: TaskState.PAUSING })),
        );
        assert.equal(outcomes.filter((won) => won).length, 1);
      }));

    test('guards: vm_state list, task_state list with null, deleted instances, unknown uuids', () =>
      withComputeDb(dialect, async (db) => {
        const uuid = await insertInstance(db, 'p', { task_state: TaskState.POWERING_OFF });
        assert.equal(await compareAndSetInstanceState(db, uuid, { vmState: [VmState.STOPPED] }, { task_state: null }), false);
        assert.equal(await compareAndSetInstanceState(db, uuid, { taskState: [null] }, { task_state: null }), false);
        assert.equal(
          await compareAndSetInstanceState(
            db,
            uuid,
            { vmState: [VmState.ACTIVE, VmState.ERROR], taskState: [TaskState.POWERING_OFF, null] },
            { vm_state: VmState.STOPPED, task_state: null, power_state: PowerState.SHUTDOWN },
          ),
          true,
        );
        assert.deepEqual(await stateOf(db, uuid), { vm_state: 'stopped', task_state: null, power_state: 4 });
        assert.equal(await compareAndSetInstanceState(db, uuid, { vmState: [] }, { task_state: null }), false, 'an empty list matches nothing');

        const placed = await insertInstance(db, 'p', { vm_state: VmState.BUILDING, task_state: TaskState.SCHEDULING, host: 'h2' });
        const building = { vmState: [VmState.BUILDING], taskState: [TaskState.SCHEDULING] };
        assert.equal(await compareAndSetInstanceState(db, placed, { ...building, host: 'h1' }, { task_state: TaskState.SPAWNING }), false, 'placed on another host');
        assert.equal(await compareAndSetInstanceState(db, placed, { ...building, host: 'h2' }, { task_state: TaskState.SPAWNING }), true);

        const gone = await insertInstance(db, 'p', { deleted: true, vm_state: VmState.DELETED });
        assert.equal(await compareAndSetInstanceState(db, gone, {}, { task_state: TaskState.DELETING }), false);
        assert.equal(await compareAndSetInstanceState(db, 'no-such-uuid', {}, { task_state: TaskState.DELETING }), false);
      }));
  });
}
