/** A move that will not happen (rolled back, failed, skipped, cut off by a restart): its destination claim goes, its record ends. */
import type { MigrationStatus } from '../../moves/migration.js';
import type { MigrationHandle } from '../../moves/migration.js';
import type { ComputeManagerDeps } from './operation-context.js';

export async function giveUpMigration(deps: Pick<ComputeManagerDeps, 'conductor'>, instanceUuid: string, migration: MigrationHandle, status: MigrationStatus): Promise<void> {
  await deps.conductor.releaseMoveResources({ instanceUuid, migrationUuid: migration.uuid });
  await deps.conductor.migrationUpdate({ id: migration.id, changes: { status } });
}
