/** start, stop and reboot (Nova's start_instance, stop_instance, reboot_instance). */
import { HARD_REBOOT_STATES, SOFT_REBOOT_STATES, TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import { PowerState } from '../../virt/power-state.js';
import { guestRef, guestSpec } from '../guest-spec.js';
import type { AgentHandlers } from '../rpc-api.js';
import { powerOffOptions, type OperationContext } from './operation-context.js';

export function powerOperations({ deps, runner }: OperationContext): Pick<AgentHandlers, 'start_instance' | 'stop_instance' | 'reboot_instance'> {
  return {
    start_instance: ({ instanceUuid }) =>
      runner.run(instanceUuid, {
        event: 'compute_start_instance',
        taskStates: [TaskState.POWERING_ON],
        work: async (instance) => {
          await deps.driver.powerOn(guestSpec(instance));
          return { changes: { vmState: VmState.ACTIVE, powerState: PowerState.RUNNING } };
        },
      }),

    stop_instance: ({ instanceUuid, clean }) =>
      runner.run(instanceUuid, {
        event: 'compute_stop_instance',
        taskStates: [TaskState.POWERING_OFF],
        work: async (instance) => {
          await deps.driver.powerOff(guestRef(instance), powerOffOptions(deps, clean));
          return { changes: { vmState: VmState.STOPPED, powerState: PowerState.SHUTDOWN } };
        },
      }),

    reboot_instance: ({ instanceUuid, rebootType }) =>
      runner.run(instanceUuid, {
        event: 'compute_reboot_instance',
        taskStates: rebootType === 'HARD' ? HARD_REBOOT_STATES : SOFT_REBOOT_STATES,
        work: async (instance) => {
          await deps.driver.reboot(guestSpec(instance), rebootType === 'HARD' ? 'hard' : 'soft');
          return { changes: { vmState: VmState.ACTIVE, powerState: PowerState.RUNNING } };
        },
      }),
  };
}
