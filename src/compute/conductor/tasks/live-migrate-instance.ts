/**
 * Nova's conductor LiveMigrationTask: check the source and the destination (the named host, or
 * the scheduler's pick without the source), claim the destination under the migration while the
 * source keeps the instance's claim, let the two hosts check whether the disks must travel (they
 * stay on shared instance storage), and cast the live migration to the source host. The agents
 * take it from there (pre_live_migration on the destination, the copy, post or rollback).
 */
import { BadRequest } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import { MigrationStatus, type MigrationRow } from '../../moves/migration.js';
import { TaskState } from '../../state/task-states.js';
import type { LiveMigrateRequest } from '../rpc-api.js';
import { claimDestination } from './migration-claims.js';
import { failMove, migrationOf, movingInstance, requireComputeUp } from './move-steps.js';
import type { ConductorTask, TaskDeps } from './task.js';

const LOG = getLogger('nimbus.compute.conductor');

const LIVE_MIGRATE_EVENT = 'conductor_live_migrate_instance';

export class LiveMigrateInstanceTask implements ConductorTask {
  #migration: MigrationRow | undefined;
  #claimed = false;
  /** Cast to the agent: from then on the move, and undoing it, are the agent's. */
  #dispatched = false;

  constructor(
    private readonly deps: TaskDeps,
    private readonly request: LiveMigrateRequest,
  ) {}

  async execute(): Promise<void> {
    const { deps, request } = this;
    const uuid = request.instanceUuid;
    await deps.actions.eventStart({ uuid, event: LIVE_MIGRATE_EVENT, host: deps.host });
    const migration = await migrationOf(deps, request.migrationId);
    this.#migration = migration;
    const instance = await movingInstance(deps, uuid, TaskState.MIGRATING);
    const source = instance.host;
    await requireComputeUp(deps, source);
    if (request.host !== null) {
      if (request.host === source) throw new BadRequest(`Unable to migrate instance (${uuid}) to current host (${source}).`);
      await requireComputeUp(deps, request.host);
    }
    const selection = await claimDestination(deps, instance, migration, { host: request.host, force: request.force });
    this.#claimed = true;
    const { host, node } = selection.destination;
    const check = await deps.agents.call(host, 'check_can_live_migrate_destination', { instanceUuid: uuid, sourceHost: source, blockMigration: request.blockMigration });
    if ('refused' in check) throw new BadRequest(check.refused);
    const { blockMigration } = check;
    await deps.migrations.update(migration.id, { status: MigrationStatus.QUEUED, destCompute: host, destNode: node }, [MigrationStatus.ACCEPTED]);
    LOG.info(`Live migrating from ${source} to ${host}${blockMigration ? ' with its disks (block migration)' : ' on shared instance storage'}`, { instance: uuid });
    await deps.agents.cast(source, 'live_migration', {
      instanceUuid: uuid,
      migration: { id: migration.id, uuid: migration.uuid },
      destHost: host,
      destNode: node,
      blockMigration,
    });
    this.#dispatched = true;
    await deps.actions.eventFinish({ uuid, event: LIVE_MIGRATE_EVENT, host: deps.host, result: 'Success' });
  }

  async rollback(error: unknown): Promise<void> {
    const move = { uuid: this.request.instanceUuid, event: LIVE_MIGRATE_EVENT, taskState: TaskState.MIGRATING, migration: this.#migration, claimed: this.#claimed, dispatched: this.#dispatched };
    await failMove(this.deps, { ...move, status: MigrationStatus.ERROR }, error);
  }
}
