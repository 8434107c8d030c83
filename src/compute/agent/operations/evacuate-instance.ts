/**
 * evacuate_instance on the destination (Nova's rebuild_instance with recreate=True): the guest of
 * a down host is created here from its image (or booted from its disks on shared storage), in the
 * power state it had (a stopped server stays stopped, an ERROR one comes back ACTIVE). Done, the
 * destination's claim becomes the instance's and the source's goes; failed, the instance is ERROR
 * on its old host and the destination's claim goes.
 */
import { bindNetworkTo } from '../move-network.js';
import { BadRequest } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import { MigrationStatus } from '../../moves/migration.js';
import { TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import { PowerState } from '../../virt/power-state.js';
import { guestSpec } from '../guest-spec.js';
import { attachVolumesHere, dropOtherAttachments, restoreAttachments, volumeMappings } from '../move-volumes.js';
import { movingImage } from './resize-operations.js';
import type { AgentHandlers } from '../rpc-api.js';
import { giveUpMigration } from './give-up-migration.js';
import type { OperationContext } from './operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

export function evacuateOperation({ deps, runner }: OperationContext): Pick<AgentHandlers, 'evacuate_instance'> {
  return {
    evacuate_instance: ({ instanceUuid, migration, node, adminPassword, onSharedStorage }) =>
      runner.run(instanceUuid, {
        event: 'compute_rebuild_instance',
        taskStates: [TaskState.REBUILDING],
        work: async (instance) => {
          const powerOn = instance.vmState !== VmState.STOPPED;
          const image = await movingImage(deps, instance);
          const bound = await bindNetworkTo(deps, instance);
          const onDisk = await deps.driver.instanceOnDisk(guestSpec(bound, image));
          // The caller's word (before 2.14) must match what this host finds, as Nova checks.
          if (onSharedStorage !== null && onSharedStorage !== onDisk) throw new BadRequest('Invalid state of instance files on shared storage');
          if (onDisk) LOG.info(`Evacuating from shared instance storage: booting the instance's own disks`, { instance: instanceUuid });
          // The volumes get this host's attachments; the down host's go once the guest runs here.
          const sourceVolumes = await volumeMappings(deps, instanceUuid);
          const here = await attachVolumesHere(deps, bound);
          try {
            await deps.driver.spawn(guestSpec(here, image), { powerOn, adminPassword, reuseDisks: onDisk });
          } catch (error) {
            await restoreAttachments(deps, instanceUuid, sourceVolumes);
            throw error;
          }
          await dropOtherAttachments(deps, instanceUuid);
          await deps.conductor.confirmMoveResources({ instanceUuid, migrationUuid: migration.uuid });
          await deps.conductor.migrationUpdate({ id: migration.id, changes: { status: MigrationStatus.DONE } });
          return {
            changes: {
              host: deps.host,
              node,
              vmState: powerOn ? VmState.ACTIVE : VmState.STOPPED,
              powerState: powerOn ? PowerState.RUNNING : PowerState.SHUTDOWN,
              launchedAt: new Date().toISOString(),
            },
            after: () => deps.reportResources(),
          };
        },
        onFailure: async () => {
          await giveUpMigration(deps, instanceUuid, migration, MigrationStatus.FAILED);
          return { changes: { vmState: VmState.ERROR } };
        },
        onSkipped: () => giveUpMigration(deps, instanceUuid, migration, MigrationStatus.FAILED),
      }),
  };
}
