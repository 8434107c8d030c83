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
import type { Destination } from '../../scheduler/select-destinations.js';
import { TaskState } from '../../state/task-states.js';
import type { AgentInstance, LiveMigrateRequest } from '../rpc-api.js';
import { DestinationMoveTask } from './destination-move.js';
import { requireComputeUp } from './move-steps.js';
import type { TaskDeps } from './task.js';

const LOG = getLogger('nimbus.compute.conductor');

export const LIVE_MIGRATE_EVENT = 'conductor_live_migrate_instance';

export class LiveMigrateInstanceTask extends DestinationMoveTask {
  protected readonly onNoValidHost = 'refuse';

  constructor(
    deps: TaskDeps,
    private readonly request: LiveMigrateRequest,
  ) {
    super(deps, request, LIVE_MIGRATE_EVENT, TaskState.MIGRATING);
  }

  protected async checkHosts(instance: AgentInstance & { readonly host: string }): Promise<void> {
    const source = instance.host;
    await requireComputeUp(this.deps, source);
    const { host } = this.request;
    if (host === null) return;
    if (host === source) throw new BadRequest(`Unable to migrate instance (${instance.uuid}) to current host (${source}).`);
    await requireComputeUp(this.deps, host);
  }

  protected async dispatch(instance: AgentInstance & { readonly host: string }, migration: MigrationRow, { host, node }: Destination): Promise<void> {
    const { deps, request } = this;
    const source = instance.host;
    const uuid = instance.uuid;
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
  }
}
