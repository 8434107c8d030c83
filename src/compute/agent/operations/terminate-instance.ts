/** terminate_instance: the guest goes, then its volumes' attachments and its claims (Nova's _delete_instance + resource tracker). */
import { TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import { PowerState } from '../../virt/power-state.js';
import { guestSpec } from '../guest-spec.js';
import { releaseNetwork } from '../release-network.js';
import type { AgentHandlers } from '../rpc-api.js';
import type { OperationContext } from './operation-context.js';
import { releaseVolumes } from './volume-operations.js';

export function terminateOperation({ deps, runner }: OperationContext): Pick<AgentHandlers, 'terminate_instance'> {
  return {
    terminate_instance: ({ instanceUuid }) =>
      runner.run(instanceUuid, {
        event: 'compute_terminate_instance',
        taskStates: [TaskState.DELETING],
        work: async (instance) => {
          await deps.driver.destroy(guestSpec(instance), { destroyDisks: true });
          await releaseNetwork(deps, instance);
          return {
            changes: { vmState: VmState.DELETED, powerState: PowerState.NOSTATE, terminatedAt: new Date().toISOString(), deleted: true },
            after: async () => {
              await releaseVolumes(deps, instance);
              await deps.conductor.releaseResources(instanceUuid);
              await deps.reportResources();
            },
          };
        },
      }),
  };
}
