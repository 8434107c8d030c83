/**
 * Nova's _reset_live_migration: the agent restarted while an instance of this host was live
 * migrating. The copy died with the agent, so the guest is still here: its live migration goes to
 * error, the destination's claim is given back, and the task state is cleared.
 */
import { getLogger } from '../../common/logging/logger.js';
import type { ConductorClient } from '../conductor/rpc-client.js';
import type { AgentInstance } from '../conductor/rpc-api.js';
import { MigrationStatus, MigrationType } from '../moves/migration.js';
import { TaskState } from '../state/task-states.js';
import { giveUpMigration } from './operations/give-up-migration.js';

const LOG = getLogger('nimbus.compute.manager');

const UNFINISHED = [MigrationStatus.ACCEPTED, MigrationStatus.QUEUED, MigrationStatus.PREPARING, MigrationStatus.RUNNING, MigrationStatus.POST_MIGRATING];

export async function resetLiveMigration(conductor: ConductorClient, instance: AgentInstance): Promise<void> {
  const uuid = instance.uuid;
  const migrations = await conductor.migrationList({ instanceUuid: uuid, type: MigrationType.LIVE_MIGRATION, statuses: UNFINISHED });
  for (const migration of migrations) await giveUpMigration({ conductor }, uuid, migration, MigrationStatus.ERROR);
  LOG.info('Instance found in migrating state during startup. Resetting task_state', { instance: uuid });
  await conductor.instanceUpdate({ uuid, expected: { taskState: [TaskState.MIGRATING] }, changes: { taskState: null } });
}
