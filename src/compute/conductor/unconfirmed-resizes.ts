/**
 * Nova's _poll_unconfirmed_resizes, asked for by the destination's agent every period when
 * `[DEFAULT] resize_confirm_window` is set: each resize to that host finished longer ago than the
 * window is confirmed as a user's confirm would be; one whose server is in no state to be
 * confirmed has its migration set to error, as Nova does.
 */
import { currentContext, newAdminContext } from '../../common/context/request-context.js';
import { getLogger } from '../../common/logging/logger.js';
import type { MigrationRow } from '../moves/migration.js';
import { startConfirm } from '../moves/start-confirm.js';
import { confirmResizeOnSource } from '../agent/rpc-client.js';
import type { InstanceActionLog } from '../actions/instance-actions.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import type { TaskDeps } from './tasks/task.js';
import type { PollUnconfirmedResizesArgs } from './rpc-api.js';

const LOG = getLogger('nimbus.compute.conductor');

/** Deleting, or still finishing: a later poll sees it settled. */
const SKIP = Symbol('skip');

export async function pollUnconfirmedResizes(deps: TaskDeps, actions: InstanceActionLog, { host, confirmWindowSeconds }: PollUnconfirmedResizesArgs): Promise<void> {
  const due = await deps.migrations.unconfirmed(host, confirmWindowSeconds);
  if (due.length > 0) LOG.info(`Found ${due.length} unconfirmed migrations older than ${confirmWindowSeconds} seconds`);
  for (const migration of due) {
    const refusal = await whyNotConfirmable(deps, migration);
    if (refusal === SKIP) continue;
    if (refusal !== null) {
      LOG.warning(`Setting migration ${migration.id} to error: ${refusal}`, { instance: migration.instance_uuid });
      await deps.migrations.update(migration.id, { status: 'error' }, ['finished']);
      continue;
    }
    LOG.info(`Automatically confirming migration ${migration.id} for instance ${migration.instance_uuid}`, { instance: migration.instance_uuid });
    await startConfirm({ migrations: deps.migrations, actions, confirmOnSource: (row) => confirmResizeOnSource(deps.agents, row) }, currentContext() ?? newAdminContext(), migration);
  }
}

/** Null when the server can be confirmed, SKIP for a race that settles itself, else why its migration fails. */
async function whyNotConfirmable(deps: TaskDeps, migration: MigrationRow): Promise<string | typeof SKIP | null> {
  const instance = await deps.instances.get(migration.instance_uuid);
  if (instance === undefined) return `Instance ${migration.instance_uuid} not found`;
  if (instance.vmState === VmState.ERROR) return 'In ERROR state';
  if (instance.taskState === TaskState.DELETING || instance.taskState === TaskState.SOFT_DELETING || instance.taskState === TaskState.RESIZE_FINISH) return SKIP;
  if (instance.vmState !== VmState.RESIZED || instance.taskState !== null) return `In states ${instance.vmState}/${instance.taskState ?? 'None'}, not RESIZED/None`;
  return null;
}
