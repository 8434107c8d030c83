/**
 * How the agent runs a verb on an instance (the decorators around Nova's ComputeManager methods:
 * synchronized per instance, wrap_instance_event, reverts_task_state, wrap_instance_fault): the
 * instance must still be in one of the verb's task states; the work drives the hypervisor; the
 * outcome is written through the conductor, or the task state is reverted and a fault recorded.
 */
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ConductorClient } from '../conductor/rpc-client.js';
import type { AgentInstance, InstanceUpdate } from '../conductor/rpc-api.js';
import type { TaskState } from '../state/task-states.js';
import { InstanceLocks } from './instance-locks.js';

const LOG = getLogger('nimbus.compute.manager');

/** What a finished action writes, and anything to do once it is written. */
export interface ActionOutcome {
  readonly changes: InstanceUpdate;
  readonly after?: () => Promise<void>;
}

/** What a failed action writes besides clearing its task state (Nova reverts to the vm_state it had; some failures mean ERROR). */
export interface FailureOutcome {
  readonly changes?: InstanceUpdate;
}

export interface ActionSpec {
  /** Nova's event name, e.g. `compute_pause_instance`. */
  readonly event: string;
  /** Task states the API set for this verb; an instance in none of them is left alone. */
  readonly taskStates: readonly TaskState[];
  readonly work: (instance: AgentInstance) => Promise<ActionOutcome>;
  /** Extra changes on failure (e.g. vm_state error); the task state is cleared in any case. */
  readonly onFailure?: (error: unknown, instance: AgentInstance) => Promise<FailureOutcome> | FailureOutcome;
  /** What to give up when the instance is no longer in the verb's task states (null: gone). */
  readonly onSkipped?: (instance: AgentInstance | null) => Promise<void>;
}

export class InstanceActionRunner {
  /** One operation at a time per instance: the driver relies on it. */
  readonly locks = new InstanceLocks();

  constructor(
    private readonly conductor: ConductorClient,
    private readonly host: string,
  ) {}

  run(uuid: string, spec: ActionSpec): Promise<void> {
    const { event, taskStates, work } = spec;
    return this.locks.run(uuid, async () => {
      const { conductor, host } = this;
      const instance = await conductor.instanceGet(uuid);
      if (!instance || !(taskStates as readonly (string | null)[]).includes(instance.taskState)) {
        LOG.info(`Ignoring ${event}: instance is in task state ${instance?.taskState ?? 'gone'}`, { instance: uuid });
        await spec.onSkipped?.(instance ?? null);
        return;
      }
      const expected = { taskState: taskStates };
      await conductor.actionEventStart({ uuid, event, host });
      let outcome: ActionOutcome;
      try {
        outcome = await work(instance);
      } catch (error) {
        LOG.error(`${event} failed: ${messageOf(error)}`, { instance: uuid, error });
        const failure = (await spec.onFailure?.(error, instance)) ?? {};
        // The fault first: whoever sees the new state (ERROR) finds the fault that explains it.
        await conductor.instanceFaultCreate({ uuid, code: 500, message: messageOf(error), host });
        await conductor.instanceUpdate({ uuid, expected, changes: { ...failure.changes, taskState: null } });
        await conductor.actionEventFinish({ uuid, event, host, result: 'Error', traceback: messageOf(error) });
        return;
      }
      // A step of a longer operation names the next task state; otherwise the task is done.
      await conductor.instanceUpdate({ uuid, expected, changes: { taskState: null, ...outcome.changes } });
      await conductor.actionEventFinish({ uuid, event, host, result: 'Success' });
      await outcome.after?.();
    });
  }
}
