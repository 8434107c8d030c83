/**
 * What a move holds while it runs: the instance's claim and allocation on the source and the
 * migration's on the destination. Once the instance lives on the destination the source's go
 * (confirm); if it stays on the source the destination's go (release). Each is safe to repeat.
 */
import { getLogger } from '../../common/logging/logger.js';
import type { TaskDeps } from './tasks/task.js';
import type { MoveResourcesArgs } from './wire.js';

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
