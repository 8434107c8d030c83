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

export function guestOperations({ deps, runner }: OperationContext): Pick<AgentHandlers, GuestVerbs> {
  const { driver } = deps;
  return {
    pause_instance: ({ instanceUuid }) =>
      runner.run(instanceUuid, {
        event: 'compute_pause_instance',
        taskStates: [TaskState.PAUSING],
        work: async (instance) => {
          LOG.info('Pausing', { instance: instanceUuid });
          await unlessAlready(driver, instance, PowerState.PAUSED, () => driver.pause(guestRef(instance)));
          return { changes: { vmState: VmState.PAUSED, powerState: PowerState.PAUSED } };
        },
      }),

    unpause_instance: ({ instanceUuid }) =>
      runner.run(instanceUuid, {
        event: 'compute_unpause_instance',
        taskStates: [TaskState.UNPAUSING],
        work: async (instance) => {
          LOG.info('Unpausing', { instance: instanceUuid });
          await unlessAlready(driver, instance, PowerState.RUNNING, () => driver.unpause(guestRef(instance)));
          return { changes: { vmState: VmState.ACTIVE, powerState: PowerState.RUNNING } };
        },
      }),

    suspend_instance: ({ instanceUuid }) =>
      runner.run(instanceUuid, {
        event: 'compute_suspend_instance',
        taskStates: [TaskState.SUSPENDING],
        work: async (instance) => {
          LOG.info('Suspending', { instance: instanceUuid });
          await unlessAlready(driver, instance, PowerState.SUSPENDED, () => driver.suspend(guestRef(instance)));
          return { changes: { vmState: VmState.SUSPENDED, powerState: PowerState.SUSPENDED } };
        },
        onFailure: errorOut,
      }),

    resume_instance: ({ instanceUuid }) =>
      runner.run(instanceUuid, {
        event: 'compute_resume_instance',
        taskStates: [TaskState.RESUMING],
        work: async (instance) => {
          LOG.info('Resuming', { instance: instanceUuid });
          await unlessAlready(driver, instance, PowerState.RUNNING, () => driver.resume(guestSpec(instance)));
          return { changes: { vmState: VmState.ACTIVE, powerState: PowerState.RUNNING } };
        },
        onFailure: errorOut,
      }),

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

    unrescue_instance: ({ instanceUuid }) =>
      runner.run(instanceUuid, {
        event: 'compute_unrescue_instance',
        taskStates: [TaskState.UNRESCUING],
        work: async (instance) => {
          LOG.info('Unrescuing', { instance: instanceUuid });
          await driver.unrescue(guestSpec(instance));
          return { changes: { vmState: VmState.ACTIVE, powerState: PowerState.RUNNING } };
        },
        onFailure: errorOut,
      }),
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

async function unlessAlready(driver: ComputeDriver, instance: AgentInstance, target: PowerState, change: () => Promise<void>): Promise<void> {
  if ((await driver.getInfo(guestRef(instance))).powerState === target) return;
  await change();
}
