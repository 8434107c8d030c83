import type { Kysely, Updateable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import type { ComputeTables, InstancesTable } from './tables.js';
import type { TaskState } from '../state/task-states.js';
import type { VmState } from '../state/vm-states.js';

/**
 * What the instance must still be in for a transition to apply: Nova's `expected_vm_state` /
 * `expected_task_state` on instance.save(). `taskState` lists the task states allowed; `null`
 * in it matches an instance with no task in progress.
 */
export interface ExpectedState {
  readonly vmState?: readonly VmState[];
  readonly taskState?: readonly (TaskState | null)[];
  /**
   * The host the instance must still be on (a build cast to it twice must not start there once
   * placed elsewhere); null: on none yet (a build cast to two conductors is placed once).
   */
  readonly host?: string | null;
}

/** Columns a transition may write besides updated_at. */
export type InstanceChanges = Omit<Updateable<InstancesTable>, 'uuid' | 'created_at' | 'updated_at'>;

/**
 * Applies `changes` to a live (not deleted) instance only if it is still in the expected state,
 * in one UPDATE: of two concurrent transitions from the same state exactly one matches a row.
 * True when this caller won; false when the instance moved on (or does not exist), which the
 * API turns into 409 naming the state it found.
 */
export async function compareAndSetInstanceState(
  database: Database,
  uuid: string,
  expected: ExpectedState,
  changes: InstanceChanges,
  now: Date = new Date(),
): Promise<boolean> {
  const db: Kysely<ComputeTables> = database.kysely.withTables<ComputeTables>();
  let update = db
    .updateTable('compute_instances')
    .set({ ...changes, updated_at: toDbTimestamp(now) })
    .where('uuid', '=', uuid)
    .where('deleted', '=', false);
  if (expected.vmState !== undefined) {
    if (expected.vmState.length === 0) return false;
    update = update.where('vm_state', 'in', expected.vmState);
  }
  if (expected.taskState !== undefined) {
    const named = expected.taskState.filter((state): state is TaskState => state !== null);
    const allowsNone = expected.taskState.includes(null);
    if (named.length === 0 && !allowsNone) return false;
    update = update.where((eb) => {
      const alternatives = [];
      if (named.length > 0) alternatives.push(eb('task_state', 'in', named));
      if (allowsNone) alternatives.push(eb('task_state', 'is', null));
      return eb.or(alternatives);
    });
  }
  if (expected.host === null) update = update.where('host', 'is', null);
  else if (expected.host !== undefined) update = update.where('host', '=', expected.host);
  const result = await update.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
