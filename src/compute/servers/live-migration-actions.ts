import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, NotFound } from '../../common/errors/errors.js';
import type { MigrationStore } from '../db/migration-store.js';
import { MigrationStatus, MigrationType, type MigrationRow } from '../moves/migration.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { hostOf, type ActionSupport } from './action-support.js';
import { InstanceActionName } from '../actions/instance-actions.js';
import { hasComputeNode } from './move-checks.js';
import type { Server } from './server.js';

/** What os-migrateLive asks for, already read per microversion. */
export interface LiveMigrateOptions {
  /** The destination, or null for the scheduler's choice. */
  readonly host: string | null;
  /** null is "auto" (2.25). */
  readonly blockMigration: boolean | null;
  /** Claim on `host` without the scheduler's filters. */
  readonly force: boolean;
  /** From 2.34 the checks run after the 202; before, their refusal is the answer. */
  readonly async: boolean;
}

/** Statuses of a live migration still under way (Nova's migration_get_in_progress_by_instance). */
const LIVE_MIGRATION_IN_PROGRESS: readonly MigrationStatus[] = [MigrationStatus.QUEUED, MigrationStatus.PREPARING, MigrationStatus.RUNNING, MigrationStatus.POST_MIGRATING];

/**
 * Nova's compute API for live migration: os-migrateLive, force-complete and abort of the one in
 * progress, and its records (servers/{id}/migrations). The API moves the instance to task
 * migrating and writes the migration; the conductor checks and claims the destination; the
 * source's agent runs it.
 */
export class LiveMigrationActions {
  readonly #migrations: MigrationStore;

  constructor(private readonly support: ActionSupport) {
    this.#migrations = support.deps.migrations;
  }

  async liveMigrate(context: RequestContext, server: Server, options: LiveMigrateOptions): Promise<void> {
    const { uuid } = server.row;
    const source = hostOf(server);
    if (options.host !== null && !(await hasComputeNode(this.support, options.host))) {
      throw new BadRequest(`Compute host ${options.host} could not be found.`);
    }
    await this.support.transition(context, server, 'os-migrateLive', { vmState: [VmState.ACTIVE, VmState.PAUSED], taskState: [null] }, { task_state: TaskState.MIGRATING });
    await this.support.record(context, uuid, InstanceActionName.LIVE_MIGRATION);
    const migration = await this.#migrations.create({
      instanceUuid: uuid,
      type: MigrationType.LIVE_MIGRATION,
      status: MigrationStatus.ACCEPTED,
      sourceCompute: source,
      sourceNode: server.row.node,
      destCompute: options.host,
      oldFlavorId: server.row.flavor_id,
      newFlavorId: server.row.flavor_id,
      userId: context.userId ?? null,
      projectId: context.projectId ?? null,
    });
    const request = {
      instanceUuid: uuid,
      migrationId: migration.id,
      host: options.host,
      force: options.force,
      blockMigration: options.blockMigration,
      availabilityZone: server.row.requested_availability_zone,
    };
    await this.support.conductor.liveMigrateInstance(request, { wait: !options.async });
  }

  /** Makes the running live migration converge now (2.22); only while it runs. */
  async forceComplete(context: RequestContext, server: Server, migrationId: string): Promise<void> {
    await this.support.guard(context, server, 'force_complete', { vmState: [VmState.ACTIVE], taskState: [TaskState.MIGRATING] });
    const migration = await this.#ofServer(server, migrationId);
    if (migration === undefined) throw new BadRequest(`Migration ${migrationId} not found for instance ${server.row.uuid}`);
    if (migration.status !== MigrationStatus.RUNNING) throw invalidMigrationState(migration, 'force complete');
    await this.support.record(context, server.row.uuid, InstanceActionName.LIVE_MIGRATION_FORCE_COMPLETE);
    await this.support.agents.cast(hostOf(server), 'live_migration_force_complete', { instanceUuid: server.row.uuid, migrationId: migration.id });
  }

  /** Aborts the live migration in progress (2.24): running, or from 2.65 still queued or preparing. */
  async abort(context: RequestContext, server: Server, migrationId: string, abortQueued: boolean): Promise<void> {
    await this.support.guard(context, server, 'abort live migration', { taskState: [TaskState.MIGRATING] });
    const migration = await this.#ofServer(server, migrationId);
    if (migration === undefined) throw new NotFound(`Migration ${migrationId} not found for instance ${server.row.uuid}`);
    const allowed: readonly string[] = abortQueued ? [MigrationStatus.RUNNING, MigrationStatus.QUEUED, MigrationStatus.PREPARING] : [MigrationStatus.RUNNING];
    if (!allowed.includes(migration.status)) throw invalidMigrationState(migration, 'abort live migration');
    await this.support.record(context, server.row.uuid, InstanceActionName.LIVE_MIGRATION_CANCEL);
    await this.support.agents.cast(hostOf(server), 'live_migration_abort', { instanceUuid: server.row.uuid, migrationId: migration.id });
  }

  /** The server's live migrations in progress, newest first. */
  inProgress(server: Server): Promise<MigrationRow[]> {
    return this.#migrations.list({ instanceUuid: server.row.uuid, type: MigrationType.LIVE_MIGRATION, statuses: LIVE_MIGRATION_IN_PROGRESS });
  }

  /** One live migration of the server in progress; 404 in Nova's words otherwise. */
  async inProgressOne(server: Server, migrationId: string): Promise<MigrationRow> {
    const uuid = server.row.uuid;
    const migration = await this.#ofServer(server, migrationId);
    if (migration === undefined) throw new NotFound(`In-progress live migration ${migrationId} is not found for server ${uuid}.`);
    if (migration.migration_type !== MigrationType.LIVE_MIGRATION) throw new NotFound(`Migration ${migrationId} for server ${uuid} is not live-migration.`);
    if (!(LIVE_MIGRATION_IN_PROGRESS as readonly string[]).includes(migration.status)) {
      throw new NotFound(`Live migration ${migrationId} for server ${uuid} is not in progress.`);
    }
    return migration;
  }

  /** The migration with this (integer) id, if it belongs to the server. */
  async #ofServer(server: Server, migrationId: string): Promise<MigrationRow | undefined> {
    if (!/^\d+$/.test(migrationId)) return undefined;
    const migration = await this.#migrations.getById(Number(migrationId));
    return migration?.instance_uuid === server.row.uuid ? migration : undefined;
  }
}

function invalidMigrationState(migration: MigrationRow, method: string): BadRequest {
  return new BadRequest(
    `Migration ${migration.id} state of instance ${migration.instance_uuid} is ${migration.status}. Cannot ${method} while the migration is in this state.`,
  );
}
