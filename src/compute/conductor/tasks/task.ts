/** A conductor task (Nova's conductor TaskBase): do the work, or undo what was done and record why not. */
import { getLogger } from '../../../common/logging/logger.js';
import type { ComputeAgentApi } from '../../agent/rpc-api.js';
import type { ServiceRegistry } from '../../../common/service/service-registry.js';
import type { SchedulerClient } from '../../scheduler/rpc-client.js';
import type { MigrationStore } from '../../db/migration-store.js';
import type { ActionStore } from '../../db/action-store.js';
import type { InstanceStore } from '../../db/instance-store.js';
import type { NodeStore } from '../../db/node-store.js';
import type { AggregateStore } from '../../db/aggregate-store.js';

const LOG = getLogger('nimbus.compute.conductor');

export interface ConductorTask {
  execute(): Promise<void>;
  /** Called with the error execute threw; leaves no claim behind and the instances in ERROR. */
  rollback(error: unknown): Promise<void>;
}

/** What tasks work with: the conductor's stores and clients. */
export interface TaskDeps {
  readonly instances: InstanceStore;
  /** Action events: what each step of a task did, for os-instance-actions. */
  readonly actions: ActionStore;
  readonly nodes: NodeStore;
  readonly migrations: MigrationStore;
  /** The zone of a host an instance is placed on. */
  readonly aggregates: AggregateStore;
  readonly scheduler: SchedulerClient;
  readonly agents: ComputeAgentApi;
  /** Whether a compute service is up (a move's source and destination must be). */
  readonly services: Pick<ServiceRegistry, 'list'>;
  /** This conductor's host, for action events. */
  readonly host: string;
  /** `[scheduler] max_attempts`: builds per instance before ERROR. */
  readonly maxAttempts: number;
}

/** Runs the task, rolling back on failure; `rethrow` hands the error on to a caller that waits (an RPC call). */
export async function runTask(task: ConductorTask, options: { readonly rethrow?: boolean } = {}): Promise<void> {
  try {
    await task.execute();
  } catch (error) {
    try {
      await task.rollback(error);
    } catch (rollbackError) {
      LOG.error('Rollback failed', { error: rollbackError });
    }
    if (options.rethrow === true) throw error;
  }
}
