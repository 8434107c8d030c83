/**
 * What the evacuate and live-migrate tasks share: under the conductor's action event, find the
 * accepted migration and the moving instance, check the hosts, claim the destination (the named
 * host, or the scheduler's pick without the source) under the migration, and hand the move to
 * an agent. A failure before the hand-over undoes the claim and puts the instance back.
 */
import type { AgentInstance } from '../rpc-api.js';
import { MigrationStatus, type MigrationRow } from '../../moves/migration.js';
import type { TaskState } from '../../state/task-states.js';
import type { Destination } from '../../scheduler/select-destinations.js';
import { claimDestination } from './migration-claims.js';
import { failMove, migrationOf, movingInstance } from './move-steps.js';
import type { ConductorTask, TaskDeps } from './task.js';
import { getLogger } from '../../../common/logging/logger.js';
import { BadRequest } from '../../../common/errors/errors.js';
import { NoValidHost } from '../../scheduler/no-valid-host.js';

const LOG = getLogger('nimbus.compute.conductor');

/** The move the API accepted: its instance and migration, and the destination the caller named (if any). */
export interface AcceptedMove {
  readonly instanceUuid: string;
  readonly migrationId: number;
  readonly host: string | null;
  readonly force: boolean;
  /** The server's requested zone (null: any); a named host is checked against it unless forced. */
  readonly availabilityZone: string | null;
}

export abstract class DestinationMoveTask implements ConductorTask {
  #migration: MigrationRow | undefined;
  #claimed = false;
  /** Cast to the agent: from then on the move, and undoing it, are the agent's. */
  #dispatched = false;

  protected constructor(
    protected readonly deps: TaskDeps,
    private readonly move: AcceptedMove,
    /** The conductor's action event, e.g. `conductor_live_migrate_instance`. */
    private readonly event: string,
    /** The task state the API set for the move. */
    private readonly taskState: TaskState,
  ) {}

  /**
   * What the scheduler's NoValidHost does to the instance, as Nova's conductor: a live migration is
   * refused (a 400 to a caller that waits, the vm_state kept), an evacuation puts it in ERROR.
   */
  protected abstract readonly onNoValidHost: 'refuse' | 'error';

  /** Refuses (throws) when the source or the named destination cannot take part. */
  protected abstract checkHosts(instance: AgentInstance & { readonly host: string }): Promise<void>;

  /** Moves the migration on from accepted and casts the move to the agent that carries it out. */
  protected abstract dispatch(instance: AgentInstance & { readonly host: string }, migration: MigrationRow, destination: Destination): Promise<void>;

  async execute(): Promise<void> {
    const { deps, move } = this;
    const uuid = move.instanceUuid;
    await deps.actions.eventStart({ uuid, event: this.event, host: deps.host });
    const migration = await migrationOf(deps, move.migrationId);
    if (migration.status !== MigrationStatus.ACCEPTED) {
      // Delivered again after its conductor died: that one handed the move to a host, or it was settled since.
      LOG.info(`Not moving: migration ${migration.id} is ${migration.status} already`, { instance: uuid });
      return;
    }
    this.#migration = migration;
    const instance = await movingInstance(deps, uuid, this.taskState);
    await this.checkHosts(instance);
    const selection = await claimDestination(deps, instance, migration, move).catch((error: unknown) => {
      throw error instanceof NoValidHost && this.onNoValidHost === 'refuse' ? new BadRequest(error.message) : error;
    });
    this.#claimed = true;
    await this.dispatch(instance, migration, selection.destination);
    this.#dispatched = true;
    await deps.actions.eventFinish({ uuid, event: this.event, host: deps.host, result: 'Success' });
  }

  async rollback(error: unknown): Promise<void> {
    const failed = { uuid: this.move.instanceUuid, event: this.event, taskState: this.taskState, migration: this.#migration, claimed: this.#claimed, dispatched: this.#dispatched };
    await failMove(this.deps, { ...failed, status: MigrationStatus.ERROR }, error);
  }
}
