/**
 * The start of a confirm (Nova's compute API confirm_resize after its checks), shared by the API
 * and the conductor's auto-confirm: the migration moves finished → confirming, so of a confirm
 * and a revert (or two confirms) exactly one goes on; the action is recorded and the source host
 * told to remove what the guest left there.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { InstanceActionName, type InstanceActionLog } from '../actions/instance-actions.js';
import type { MigrationStore } from '../db/migration-store.js';
import type { MigrationRow } from './migration.js';

export interface ConfirmDeps {
  readonly migrations: MigrationStore;
  readonly actions: InstanceActionLog;
  /** Tells the migration's source host to remove the old copy (the agent's confirm_resize). */
  readonly confirmOnSource: (migration: MigrationRow) => Promise<void>;
}

/** False when the migration was no longer finished (another confirm or a revert won). */
export async function startConfirm(deps: ConfirmDeps, context: RequestContext, migration: MigrationRow): Promise<boolean> {
  if (!(await deps.migrations.update(migration.id, { status: 'confirming' }, ['finished']))) return false;
  await deps.actions.record(context, migration.instance_uuid, InstanceActionName.CONFIRM_RESIZE);
  await deps.confirmOnSource(migration);
  return true;
}
