/**
 * Nova's conductor MigrationTask (migrate_server, not live): record the migration (pre-migrating),
 * ask the scheduler for a destination that fits the new flavor — the source excluded unless a
 * resize may stay on its host (`allow_resize_to_same_host`; a cold migration never may) — whose
 * claim is keyed by the migration while the source keeps the instance's, then cast prep_resize to
 * the destination. Any failure (NoValidHost above all) puts the server back as it was, with a
 * fault, the migration in error and the destination claim given back.
 */
import { messageOf, NimbusError } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import { MigrationStatus, type MigrationRow } from '../../moves/migration.js';
import { fromWireSpec, type ClaimedSelection } from '../../scheduler/rpc-api.js';
import { TaskState } from '../../state/task-states.js';
import { releaseMoveResources } from '../move-resources.js';
import type { AgentInstance, MigrateServerArgs } from '../rpc-api.js';
import type { ConductorTask, TaskDeps } from './task.js';

const LOG = getLogger('nimbus.compute.conductor');

/** Nova's EventReporter name for the conductor's part. */
export const COLD_MIGRATE_EVENT = 'cold_migrate';

export class MigrateServerTask implements ConductorTask {
  #migration: MigrationRow | undefined;
  #claimed: ClaimedSelection | undefined;

  constructor(
    private readonly deps: TaskDeps,
    private readonly args: MigrateServerArgs,
    private readonly allowResizeToSameHost: boolean,
  ) {}

  get #isResize(): boolean {
    return this.args.flavor.flavorid !== this.args.oldFlavor.flavorid;
  }

  async execute(): Promise<void> {
    const { deps, args } = this;
    const uuid = args.instanceUuid;
    const instance = await deps.instances.get(uuid);
    if (instance === undefined || instance.host === null || instance.taskState !== TaskState.RESIZE_PREP) {
      // Deleted, or settled after its conductor died and this message came again.
      LOG.info(`Not migrating: the server is ${instance === undefined ? 'gone' : `in task state ${instance.taskState ?? 'none'}`}`, { instance: uuid });
      return;
    }
    if (await this.#handedOverBefore(uuid)) return;
    await deps.actions.eventStart({ uuid, event: COLD_MIGRATE_EVENT, host: deps.host });
    const migration = await this.#createMigration(instance);
    const source = instance.host;
    const sameHostAllowed = this.#isResize && this.allowResizeToSameHost;
    const spec = { ...fromWireSpec(args.spec), instanceUuid: uuid, instanceUuids: [uuid], numInstances: 1, ...(sameHostAllowed ? {} : { ignoreHosts: [source] }) };
    const [selection] = await deps.scheduler.selectDestinations(spec, { migrationId: migration.uuid });
    if (selection === undefined) throw new Error('The scheduler returned no destination');
    this.#claimed = selection;
    const { host, node } = selection.destination;
    await deps.nodes.recordAllocation(migration.uuid, host, selection.resources);
    await deps.migrations.update(migration.id, { destCompute: host, destNode: node, destHost: host });
    LOG.info(`Casting prep_resize to ${host} for migration ${migration.id}`, { instance: uuid });
    await deps.agents.cast(host, 'prep_resize', {
      instanceUuid: uuid,
      migration: { id: migration.id, uuid: migration.uuid, sourceCompute: source, sourceNode: instance.node ?? source, destCompute: host, destNode: node },
      flavor: args.flavor,
      oldFlavor: args.oldFlavor,
      oldVmState: args.oldVmState,
      cleanShutdown: args.cleanShutdown,
    });
    this.#claimed = undefined;
    await deps.actions.eventFinish({ uuid, event: COLD_MIGRATE_EVENT, host: deps.host, result: 'Success' });
  }

  async rollback(error: unknown): Promise<void> {
    const { deps, args } = this;
    const uuid = args.instanceUuid;
    const message = messageOf(error);
    LOG.error(`${this.#isResize ? 'Resize' : 'Cold migration'} failed: ${message}`, { instance: uuid });
    if (this.#migration !== undefined) {
      await deps.migrations.update(this.#migration.id, { status: 'error' });
      if (this.#claimed !== undefined) await releaseMoveResources(deps, { instanceUuid: uuid, migrationUuid: this.#migration.uuid });
    }
    const restored = await deps.instances.update({ uuid, expected: { taskState: [TaskState.RESIZE_PREP] }, changes: { taskState: null } });
    if (restored) await deps.instances.addFault({ uuid, code: error instanceof NimbusError ? error.status : 500, message, host: deps.host });
    const reason = `No valid host found for ${this.#isResize ? 'resize' : 'cold migrate'}`;
    await deps.actions.eventFinish({ uuid, event: COLD_MIGRATE_EVENT, host: deps.host, result: 'Error', traceback: `${reason}: ${message}` });
  }

  /**
   * A message delivered again after its conductor died: a migration that conductor already sent to
   * a destination is that agent's now; one it had not yet sent is put in error, its claim released,
   * before this attempt makes its own.
   */
  async #handedOverBefore(uuid: string): Promise<boolean> {
    const earlier = await this.deps.migrations.findMove(uuid, [MigrationStatus.PRE_MIGRATING]);
    if (earlier === undefined) return false;
    if (earlier.dest_compute !== null) {
      LOG.info(`Not migrating: migration ${earlier.id} went to ${earlier.dest_compute} already`, { instance: uuid });
      return true;
    }
    await this.deps.migrations.update(earlier.id, { status: MigrationStatus.ERROR }, [MigrationStatus.PRE_MIGRATING]);
    await releaseMoveResources(this.deps, { instanceUuid: uuid, migrationUuid: earlier.uuid });
    return false;
  }

  async #createMigration(instance: AgentInstance): Promise<MigrationRow> {
    const { args } = this;
    this.#migration = await this.deps.migrations.create({
      instanceUuid: instance.uuid,
      type: this.#isResize ? 'resize' : 'migration',
      status: 'pre-migrating',
      sourceCompute: instance.host,
      sourceNode: instance.node,
      oldFlavorId: args.oldFlavor.flavorid,
      newFlavorId: args.flavor.flavorid,
      userId: instance.userId,
      projectId: instance.projectId,
    });
    return this.#migration;
  }
}
