/**
 * pause, unpause, suspend, resume, rescue and unrescue (Nova's pause_instance … unrescue_instance).
 * Pause, unpause, suspend and resume do not ask a guest already in their end state again, so one
 * re-run after an agent restart finishes the transition instead of failing on it.
 */
import { messageOf } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import type { AgentInstance } from '../../conductor/rpc-api.js';
import { TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import type { ComputeDriver } from '../../virt/driver.js';
import { InstanceNotFound, NotSupportedByDriver } from '../../virt/errors.js';
import { PowerState } from '../../virt/power-state.js';
import { guestRef, guestSpec } from '../guest-spec.js';
import type { FailureOutcome } from '../instance-action-runner.js';
import type { AgentHandlers } from '../rpc-api.js';
import { powerOffOptions, type ComputeManagerDeps, type OperationContext } from './operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

type GuestVerbs = 'pause_instance' | 'unpause_instance' | 'suspend_instance' | 'resume_instance' | 'rescue_instance' | 'unrescue_instance';
type SimpleVerb = Exclude<GuestVerbs, 'rescue_instance'>;

/** A guest transition with no arguments: the task the API set, what the driver does, and the states after it. */
interface GuestTransition {
  /** What the log line says, e.g. `Pausing`. */
  readonly doing: string;
  readonly task: TaskState;
  readonly vmState: VmState;
  readonly powerState: PowerState;
  /** Skip the driver when the guest is in `powerState` already (a re-run after an agent restart). */
  readonly idempotent: boolean;
  readonly drive: (driver: ComputeDriver, instance: AgentInstance) => Promise<void>;
  /** ERROR on failure (Nova's _error_out_instance_on_exception) rather than back to the vm_state it had. */
  readonly errorOut: boolean;
}

const TRANSITIONS: { readonly [V in SimpleVerb]: GuestTransition } = {
  pause_instance: { doing: 'Pausing', task: TaskState.PAUSING, vmState: VmState.PAUSED, powerState: PowerState.PAUSED, idempotent: true, drive: (driver, instance) => driver.pause(guestRef(instance)), errorOut: false },
  unpause_instance: { doing: 'Unpausing', task: TaskState.UNPAUSING, vmState: VmState.ACTIVE, powerState: PowerState.RUNNING, idempotent: true, drive: (driver, instance) => driver.unpause(guestRef(instance)), errorOut: false },
  suspend_instance: { doing: 'Suspending', task: TaskState.SUSPENDING, vmState: VmState.SUSPENDED, powerState: PowerState.SUSPENDED, idempotent: true, drive: (driver, instance) => driver.suspend(guestRef(instance)), errorOut: true },
  resume_instance: { doing: 'Resuming', task: TaskState.RESUMING, vmState: VmState.ACTIVE, powerState: PowerState.RUNNING, idempotent: true, drive: (driver, instance) => driver.resume(guestSpec(instance)), errorOut: true },
  unrescue_instance: { doing: 'Unrescuing', task: TaskState.UNRESCUING, vmState: VmState.ACTIVE, powerState: PowerState.RUNNING, idempotent: false, drive: (driver, instance) => driver.unrescue(guestSpec(instance)), errorOut: true },
};

export function guestOperations({ deps, runner }: OperationContext): Pick<AgentHandlers, GuestVerbs> {
  const { driver } = deps;
  const simple = (verb: SimpleVerb) => {
    const transition = TRANSITIONS[verb];
    return ({ instanceUuid }: { readonly instanceUuid: string }) =>
      runner.run(instanceUuid, {
        event: `compute_${verb}`,
        taskStates: [transition.task],
        work: async (instance) => {
          LOG.info(transition.doing, { instance: instanceUuid });
          const already = transition.idempotent && (await driver.getInfo(guestRef(instance))).powerState === transition.powerState;
          if (!already) await transition.drive(driver, instance);
          return { changes: { vmState: transition.vmState, powerState: transition.powerState } };
        },
        ...(transition.errorOut ? { onFailure: errorOut } : {}),
      });
  };
  return {
    pause_instance: simple('pause_instance'),
    unpause_instance: simple('unpause_instance'),
    suspend_instance: simple('suspend_instance'),
    resume_instance: simple('resume_instance'),
    unrescue_instance: simple('unrescue_instance'),

    rescue_instance: ({ instanceUuid, rescuePassword, rescueImageRef }) => {
      // Nova reverts only the task state when the rescue image cannot be read; once the guest was touched, ERROR.
      let touched = false;
      return runner.run(instanceUuid, {
        event: 'compute_rescue_instance',
        taskStates: [TaskState.RESCUING],
        work: async (instance) => {
          LOG.info('Rescuing', { instance: instanceUuid });
          const rescueImage = await deps.images.getImageMeta(rescueImageRef ?? instance.imageRef);
          touched = true;
          try {
            await powerOffIfPresent(deps, instance);
            await driver.rescue(guestSpec(instance), { rescueImage, adminPassword: rescuePassword });
          } catch (error) {
            throw new Error(`Instance ${instanceUuid} cannot be rescued: Driver Error: ${messageOf(error)}`, { cause: error });
          }
          return { changes: { vmState: VmState.RESCUED, powerState: PowerState.RUNNING, launchedAt: new Date().toISOString() } };
        },
        onFailure: () => (touched ? { changes: { vmState: VmState.ERROR } } : {}),
      });
    },
  };
}

/** Nova's _error_out_instance_on_exception: ERROR, unless the driver does not offer the operation (then nothing changed). */
export function errorOut(error: unknown): FailureOutcome {
  return error instanceof NotSupportedByDriver ? {} : { changes: { vmState: VmState.ERROR } };
}

/** Nova's _power_off_instance before a rescue or rebuild; a guest the hypervisor does not hold is off already. */
export async function powerOffIfPresent(deps: ComputeManagerDeps, instance: AgentInstance): Promise<void> {
  try {
    await deps.driver.powerOff(guestRef(instance), powerOffOptions(deps, true));
  } catch (error) {
    if (!(error instanceof InstanceNotFound)) throw error;
  }
}
