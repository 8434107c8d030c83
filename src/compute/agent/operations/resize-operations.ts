/**
 * A resize or cold migration on the agents (Nova's prep_resize, resize_instance, finish_resize):
 * the destination records the new flavor and hands over to the source, which powers the guest off
 * and sends its disks, and the destination defines the guest on them — VERIFY_RESIZE, with the
 * source's resources kept until confirm or revert. A driver failure on the source puts the server
 * back as it was there (the fake and QEMU drivers leave the guest untouched when they fail); one
 * on the destination leaves it in ERROR there, as Nova does, with the source's resources given up.
 */
import { bindNetworkTo } from '../move-network.js';
import { getLogger } from '../../../common/logging/logger.js';
import type { AgentInstance } from '../../conductor/rpc-api.js';
import type { MoveMigrationWire } from '../../moves/migration.js';
import type { Flavor } from '../../flavors/flavor.js';
import { RESIZING_STATES, TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import type { FlavorSpec, ImageMeta } from '../../virt/instance-spec.js';
import { PowerState } from '../../virt/power-state.js';
import { bootsFromVolume, guestSpec, knownImage } from '../guest-spec.js';
import { attachVolumesHere, dropOtherAttachments } from '../move-volumes.js';
import type { AgentHandlers, FinishResizeArgs, PrepResizeArgs } from '../rpc-api.js';
import { powerOffOptions, type ComputeManagerDeps, type OperationContext } from './operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

/** Task states of a move still under way. */
const MOVING: readonly TaskState[] = [...RESIZING_STATES, TaskState.RESIZE_REVERTING];

/** The image a moving guest's disks were made from; a volume-backed guest has none of its own (its root volume holds it). */
export function movingImage(deps: ComputeManagerDeps, instance: AgentInstance): Promise<ImageMeta> {
  return bootsFromVolume(instance) ? Promise.resolve(knownImage(instance.imageRef)) : deps.images.getImageMeta(instance.imageRef);
}

/** A stored flavor in the driver's terms. */
export function virtFlavor(flavor: Flavor): FlavorSpec {
  return {
    id: flavor.flavorid,
    name: flavor.name,
    vcpus: flavor.vcpus,
    memoryMb: flavor.memory_mb,
    rootGb: flavor.root_gb,
    ephemeralGb: flavor.ephemeral_gb,
    swapMb: flavor.swap,
    extraSpecs: flavor.extra_specs,
  };
}

export function migrationRef(migration: MoveMigrationWire): { id: string; sourceHost: string; destHost: string } {
  return { id: migration.uuid, sourceHost: migration.sourceCompute, destHost: migration.destCompute };
}

/** The next task state of the move; an instance that changed meanwhile (a delete) stops it. */
async function moveOn(deps: ComputeManagerDeps, uuid: string, from: TaskState, to: TaskState): Promise<void> {
  if (!(await deps.conductor.instanceUpdate({ uuid, expected: { taskState: [from] }, changes: { taskState: to } }))) {
    throw new Error(`Instance changed state during the migration (expected task ${from})`);
  }
}

/** The move failed: the migration errors out (Nova's errors_out_migration). */
export async function errorOutMigration(deps: ComputeManagerDeps, migration: MoveMigrationWire): Promise<void> {
  await deps.conductor.migrationUpdate({ id: migration.id, changes: { status: 'error' } });
}

/** The destination's claim and allocation go back (the guest stays on, or returns to, the source). */
export function releaseDestination(deps: ComputeManagerDeps, instanceUuid: string, migration: MoveMigrationWire): Promise<void> {
  return deps.conductor.releaseMoveResources({ instanceUuid, migrationUuid: migration.uuid });
}

export function resizeOperations({ deps, runner }: OperationContext): Pick<AgentHandlers, 'prep_resize' | 'resize_instance' | 'finish_resize'> {
  const giveUp = (args: PrepResizeArgs) => async () => {
    await errorOutMigration(deps, args.migration);
    await releaseDestination(deps, args.instanceUuid, args.migration);
  };
  // A repeated message finds the move further on: only an abandoned one (deleted, reset) gives its destination up.
  const abandoned = (args: PrepResizeArgs) => async (instance: AgentInstance | null) => {
    if (instance === null || !(MOVING as readonly (string | null)[]).includes(instance.taskState)) await giveUp(args)();
  };
  return {
    /** On the destination: stash the new flavor, then the source's turn. */
    prep_resize: (args) =>
      runner.run(args.instanceUuid, {
        event: 'compute_prep_resize',
        taskStates: [TaskState.RESIZE_PREP],
        work: async () => ({
          changes: { taskState: TaskState.RESIZE_PREP, flavors: { old: null, new: args.flavor } },
          after: () => deps.agents.cast(args.migration.sourceCompute, 'resize_instance', args),
        }),
        onFailure: async () => {
          await giveUp(args)();
          return { changes: { vmState: args.oldVmState, flavors: { old: null, new: null } } };
        },
        onSkipped: abandoned(args),
      }),

    /** On the source: power off and send the disks; the instance now belongs to the destination. */
    resize_instance: (args) =>
      runner.run(args.instanceUuid, {
        event: 'compute_resize_instance',
        // The step's own next state too, so its outcome (resize_migrating → resize_migrated) applies.
        taskStates: [TaskState.RESIZE_PREP, TaskState.RESIZE_MIGRATING],
        work: async (instance) => {
          const { migration } = args;
          await deps.conductor.migrationUpdate({ id: migration.id, changes: { status: 'migrating' }, expectedStatuses: ['pre-migrating'] });
          await moveOn(deps, instance.uuid, TaskState.RESIZE_PREP, TaskState.RESIZE_MIGRATING);
          const disks = await deps.driver.migrateDiskAndPowerOff(guestSpec(instance), migration.destCompute, virtFlavor(args.flavor), powerOffOptions(deps, args.cleanShutdown));
          await deps.conductor.migrationUpdate({ id: migration.id, changes: { status: 'post-migrating' } });
          LOG.info(`Disks sent to ${migration.destCompute}; the instance is now tracked there`, { instance: instance.uuid });
          return {
            changes: { taskState: TaskState.RESIZE_MIGRATED, powerState: PowerState.SHUTDOWN, host: migration.destCompute, node: migration.destNode, flavors: { old: args.oldFlavor, new: args.flavor } },
            after: async () => {
              const { instanceUuid, flavor, oldFlavor, oldVmState } = args;
              await deps.agents.cast(migration.destCompute, 'finish_resize', { instanceUuid, migration, flavor, oldFlavor, oldVmState, disks });
              await deps.reportResources();
            },
          };
        },
        onFailure: async () => {
          await giveUp(args)();
          return { changes: { vmState: args.oldVmState, flavors: { old: null, new: null } } };
        },
        onSkipped: abandoned(args),
      }),

    finish_resize: (args) => finishResize({ deps, runner }, args),
  };
}

/** On the destination: the guest on the copied disks, grown to the new flavor; the server waits for confirm or revert. */
function finishResize({ deps, runner }: OperationContext, args: FinishResizeArgs): Promise<void> {
  const { migration } = args;
  const source = () => deps.conductor.confirmMoveResources({ instanceUuid: args.instanceUuid, migrationUuid: migration.uuid });
  return runner.run(args.instanceUuid, {
    event: 'compute_finish_resize',
    taskStates: [TaskState.RESIZE_MIGRATED, TaskState.RESIZE_FINISH],
    work: async (instance) => {
      await moveOn(deps, instance.uuid, TaskState.RESIZE_MIGRATED, TaskState.RESIZE_FINISH);
      const flavor = virtFlavor(args.flavor);
      const old = args.oldFlavor;
      const resizeInstance = old.root_gb !== flavor.rootGb || old.ephemeral_gb !== flavor.ephemeralGb || old.swap !== flavor.swapMb;
      const powerOn = args.oldVmState !== VmState.STOPPED;
      // The disk arrives without its base: the driver fetches the image on this host as a boot does.
      const image = await movingImage(deps, instance);
      // The volumes get this host's attachments; the source's stay until confirm or revert.
      const here = await attachVolumesHere(deps, await bindNetworkTo(deps, instance));
      await deps.driver.finishMigration(migrationRef(migration), { ...guestSpec(here, image), flavor }, args.disks, { resizeInstance, powerOn });
      await deps.conductor.migrationUpdate({ id: migration.id, changes: { status: 'finished' } });
      return {
        changes: {
          vmState: VmState.RESIZED,
          powerState: powerOn ? PowerState.RUNNING : PowerState.SHUTDOWN,
          flavors: { cur: args.flavor, old: args.oldFlavor, new: args.flavor },
          launchedAt: new Date().toISOString(),
        },
        after: () => deps.reportResources(),
      };
    },
    // The guest has left the source: the server stays here in ERROR (a hard reboot may recover it), holding only this host's resources.
    onFailure: async () => {
      await errorOutMigration(deps, migration);
      await source();
      await dropOtherAttachments(deps, args.instanceUuid);
      return { changes: { vmState: VmState.ERROR } };
    },
    onSkipped: async (instance) => {
      if (instance !== null && (MOVING as readonly (string | null)[]).includes(instance.taskState)) return;
      await errorOutMigration(deps, migration);
      await source();
    },
  });
}
