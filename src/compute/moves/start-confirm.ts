/**
 * The start of a confirm (Nova's compute API confirm_resize after its checks), shared by the API
 * and the conductor's auto-confirm: the migration moves finished → confirming, so of a confirm
 * and a revert (or two confirms) exactly one goes on; the action is recorded and the source host
 * told to remove what the guest left there.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import type { ComputeAgentApi } from '../agent/rpc-api.js';
import type { MoveMigrationWire } from '../conductor/rpc-api.js';
import { InstanceActionName, type InstanceActionLog } from '../actions/instance-actions.js';
import type { MigrationRow } from './migration.js';
import type { MigrationStore } from '../db/migration-store.js';

export interface ConfirmDeps {
  readonly migrations: MigrationStore;
  readonly actions: InstanceActionLog;
  readonly agents: ComputeAgentApi;
}

/** False when the migration was no longer finished (another confirm or a revert won). */
export async function startConfirm(deps: ConfirmDeps, context: RequestContext, migration: MigrationRow): Promise<boolean> {
  if (!(await deps.migrations.update(migration.id, { status: 'confirming' }, ['finished']))) return false;
  await deps.actions.record(context, migration.instance_uuid, InstanceActionName.CONFIRM_RESIZE);
  await deps.agents.cast(migration.source_compute ?? '', 'confirm_resize', { instanceUuid: migration.instance_uuid, migration: moveRef(migration) });
  return true;
}

/** A resize's migration row as agents are told about it. */
export function moveRef(row: MigrationRow): MoveMigrationWire {
  const sourceCompute = row.source_compute ?? '';
  const destCompute = row.dest_compute ?? '';
  return {
    id: row.id,
    uuid: row.uuid,
    sourceCompute,
    sourceNode: row.source_node ?? sourceCompute,
    destCompute,
    destNode: row.dest_node ?? destCompute,
  };
}
