/**
 * What a resize or cold migration holds while it runs: the instance's claim and allocation on the
 * source (old flavor) and the migration's on the destination (new flavor). Confirming (or a
 * failure once the guest has left the source) gives up the source's; reverting (or a failure
 * before it left) gives up the destination's. Each is safe to repeat.
 */
import { getLogger } from '../../common/logging/logger.js';
import { confirmResizeOnSource } from '../agent/rpc-client.js';
import { moveRef } from '../moves/migration.js';
import type { TaskDeps } from './tasks/task.js';
import type { MoveResourcesArgs } from './rpc-api.js';
import type { MoveMigrationWire } from '../moves/migration.js';

const LOG = getLogger('nimbus.compute.conductor');

export type MoveResourcesDeps = Pick<TaskDeps, 'instances' | 'nodes' | 'scheduler' | 'migrations'>;

/** The instance lives on the destination now: its source claim goes, the migration's becomes the instance's. */
export async function confirmMoveResources(deps: MoveResourcesDeps, { instanceUuid, migrationUuid }: MoveResourcesArgs): Promise<void> {
  // Only while the migration still holds its allocation: a repeated confirm must not free the instance's.
  if (await deps.nodes.hasAllocations(migrationUuid)) await deps.nodes.deleteAllocations(instanceUuid);
  if ((await deps.instances.get(instanceUuid)) === undefined) {
    // Deleted meanwhile: its delete released the instance's claims; nothing is to move.
    await deps.nodes.deleteAllocations(migrationUuid);
    await deps.scheduler.releaseClaim(instanceUuid);
    return;
  }
  await deps.nodes.moveAllocations(migrationUuid, instanceUuid);
  await deps.scheduler.confirmMigrationClaim(instanceUuid, migrationUuid);
  LOG.info(`Released the source resources of migration ${migrationUuid}`, { instance: instanceUuid });
}

/** The instance stays on (or returns to) the source: the destination's claim and allocation go. */
export async function releaseMoveResources(deps: MoveResourcesDeps, { instanceUuid, migrationUuid }: MoveResourcesArgs): Promise<void> {
  await deps.nodes.deleteAllocations(migrationUuid);
  await deps.scheduler.releaseMigrationClaim(instanceUuid, migrationUuid);
  LOG.info(`Released the destination resources of migration ${migrationUuid}`, { instance: instanceUuid });
}

/**
 * A deleted instance (its claims went with it): the allocations its migrations held go too, and
 * a source still keeping the old copy of a resize under way is told to remove it, as a confirm
 * would (Nova leaves that to a periodic cleanup).
 */
export async function settleDeletedMoves(deps: MoveResourcesDeps & Pick<TaskDeps, 'agents'>, instanceUuid: string): Promise<void> {
  for (const migration of await deps.migrations.list({ instanceUuid })) {
    await deps.nodes.deleteAllocations(migration.uuid);
    const copyLeft = (migration.migration_type === 'resize' || migration.migration_type === 'migration') && SOURCE_COPY_KEPT.has(migration.status);
    if (copyLeft && migration.source_compute !== null) {
      LOG.info(`Instance deleted during migration ${migration.id}; removing its copy on ${migration.source_compute}`, { instance: instanceUuid });
      await confirmResizeOnSource(deps.agents, migration);
    }
  }
}

/** Where the source may still hold the old copy (error: a finish that failed); a confirming migration has its confirm on the way already. */
const SOURCE_COPY_KEPT: ReadonlySet<string> = new Set(['migrating', 'post-migrating', 'finished', 'reverting', 'error']);

/** Statuses of a resize or cold migration not yet settled. */
const UNSETTLED = ['pre-migrating', 'migrating', 'post-migrating', 'finished', 'confirming', 'reverting'] as const;

export async function moveInProgress(deps: MoveResourcesDeps, instanceUuid: string): Promise<MoveMigrationWire | null> {
  const migration = await deps.migrations.findMove(instanceUuid, UNSETTLED);
  return migration === undefined ? null : moveRef(migration);
}
