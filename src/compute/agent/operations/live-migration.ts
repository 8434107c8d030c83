/**
 * Live migration across two agents (Nova's ComputeManager live_migration and friends). On the
 * source, under the instance's lock: pre_live_migration on the destination (a call: it answers
 * where to send the guest), the driver's copy, then post_live_migration_at_destination and the
 * source's cleanup — or, aborted or failed, rollback on the destination. Claims follow the
 * guest: the source's goes once it runs on the destination, the destination's if it never does.
 */
import { bindNetworkTo } from '../move-network.js';
import { messageOf } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import { MigrationStatus } from '../../moves/migration.js';
import { TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import type { AgentBlockDevice, AgentInstance } from '../../conductor/rpc-api.js';
import type { LiveMigrationResult } from '../../virt/driver.js';
import { guestRef, guestSpec } from '../guest-spec.js';
import { attachVolumesHere, dropOtherAttachments, restoreAttachments, volumeMappings } from '../move-volumes.js';
import { movingImage } from './resize-operations.js';
import type { ActionOutcome } from '../instance-action-runner.js';
import { LiveMigrationsInProgress } from '../live-migrations-in-progress.js';
import type { AgentHandlers, LiveMigrationArgs } from '../rpc-api.js';
import { giveUpMigration } from './give-up-migration.js';
import type { ComputeManagerDeps, OperationContext } from './operation-context.js';
import { runEvent } from './run-event.js';

const LOG = getLogger('nimbus.compute.manager');

type LiveMigrationVerbs =
  | 'live_migration'
  | 'pre_live_migration'
  | 'post_live_migration_at_destination'
  | 'rollback_live_migration_at_destination'
  | 'live_migration_abort'
  | 'live_migration_force_complete';

/** The guest runs on the destination but finishing there failed: it stays there, in ERROR (as Nova's post failure). */
class PostLiveMigrationFailed extends Error {
  constructor(
    readonly destHost: string,
    readonly destNode: string,
    cause: unknown,
  ) {
    super(`Post live migration at ${destHost} failed: ${messageOf(cause)}`, { cause });
  }
}

export function liveMigrationOperations({ deps, runner }: OperationContext): Pick<AgentHandlers, LiveMigrationVerbs> {
  const inProgress = new LiveMigrationsInProgress();
  const instanceOf = async (uuid: string): Promise<AgentInstance> => {
    const instance = await deps.conductor.instanceGet(uuid);
    if (!instance) throw new Error(`Instance ${uuid} could not be found.`);
    return instance;
  };
  return {
    live_migration: (args) =>
      runner.run(args.instanceUuid, {
        event: 'compute_live_migration',
        taskStates: [TaskState.MIGRATING],
        work: (instance) => liveMigrate(deps, inProgress, instance, args),
        onFailure: (error) => (error instanceof PostLiveMigrationFailed ? { changes: { vmState: VmState.ERROR, host: error.destHost, node: error.destNode } } : {}),
        // The instance moved on (reset, deleted) before its migration started: the destination's claim goes.
        onSkipped: () => giveUpMigration(deps, args.instanceUuid, args.migration, MigrationStatus.ERROR),
      }),

    pre_live_migration: ({ instanceUuid, sourceHost, blockMigration }) =>
      runEvent(deps, instanceUuid, 'compute_pre_live_migration', async () => {
        const instance = await instanceOf(instanceUuid);
        // A block migration builds a new disk on this host, over the image as a boot does.
        const image = blockMigration ? await movingImage(deps, instance) : undefined;
        // The ports move first, so the destination's bridges and taps exist before QEMU listens there;
        // the volumes get this host's attachments (the source restores its own if the migration fails).
        const here = await attachVolumesHere(deps, await bindNetworkTo(deps, instance));
        return deps.driver.preLiveMigration(guestSpec(here, image), { sourceHost, blockMigration });
      }),

    post_live_migration_at_destination: ({ instanceUuid }) =>
      runEvent(deps, instanceUuid, 'compute_post_live_migration_at_destination', async () => {
        const instance = await instanceOf(instanceUuid);
        await deps.driver.postLiveMigrationAtDestination(guestSpec(instance));
        await deps.reportResources();
        return (await deps.driver.getInfo(guestRef(instance))).powerState;
      }),

    rollback_live_migration_at_destination: ({ instanceUuid, blockMigration }) =>
      runEvent(deps, instanceUuid, 'compute_rollback_live_migration_at_destination', async () => {
        const instance = await instanceOf(instanceUuid);
        await deps.driver.rollbackLiveMigrationAtDestination(guestSpec(instance), { destroyDisks: blockMigration });
        // The guest stays on its source: its ports go back there.
        if (instance.host !== null) await bindNetworkTo(deps, instance, instance.host);
      }),

    live_migration_abort: ({ instanceUuid, migrationId }) =>
      runEvent(deps, instanceUuid, 'compute_live_migration_abort', async () => {
        const outgoing = inProgress.find(instanceUuid, migrationId);
        if (outgoing === undefined) {
          // Still queued (2.65): cancelled before it starts, which it notices when it does.
          const cancelled = await deps.conductor.migrationUpdate({ id: migrationId, changes: { status: MigrationStatus.CANCELLED }, expectedStatuses: [MigrationStatus.QUEUED] });
          if (!cancelled) throw new Error(`Live migration ${migrationId} is not in progress on ${deps.host}`);
        } else if (outgoing.copying) await deps.driver.liveMigrationAbort(guestRef(await instanceOf(instanceUuid)));
        else outgoing.abortRequested = true;
      }),

    live_migration_force_complete: ({ instanceUuid, migrationId }) =>
      runEvent(deps, instanceUuid, 'compute_live_migration_force_complete', async () => {
        const outgoing = inProgress.find(instanceUuid, migrationId);
        if (outgoing?.copying !== true) throw new Error(`Live migration ${migrationId} is not running on ${deps.host}`);
        await deps.driver.liveMigrationForceComplete(guestRef(await instanceOf(instanceUuid)));
      }),
  };
}

async function liveMigrate(deps: ComputeManagerDeps, inProgress: LiveMigrationsInProgress, instance: AgentInstance, args: LiveMigrationArgs): Promise<ActionOutcome> {
  const { conductor } = deps;
  const { migration, destHost, blockMigration } = args;
  const uuid = instance.uuid;
  const outgoing = inProgress.begin(uuid, migration.id);
  // The volumes' attachments as they are here: what a rollback restores (Nova's source_bdms).
  const sourceVolumes = await volumeMappings(deps, uuid);
  let result: LiveMigrationResult;
  try {
    const preparing = await conductor.migrationUpdate({ id: migration.id, changes: { status: MigrationStatus.PREPARING }, expectedStatuses: [MigrationStatus.QUEUED] });
    const target = preparing ? await deps.agents.call(destHost, 'pre_live_migration', { instanceUuid: uuid, sourceHost: deps.host, blockMigration }) : undefined;
    if (target !== undefined && !outgoing.abortRequested) {
      await conductor.migrationUpdate({ id: migration.id, changes: { status: MigrationStatus.RUNNING } });
    }
    // An abort may have come in while the destination prepared: then the copy never starts.
    if (target === undefined || outgoing.abortRequested) {
      result = 'aborted';
    } else {
      outgoing.copying = true;
      LOG.info(`Live migration to ${destHost} running`, { instance: uuid });
      result = await deps.driver.liveMigration(guestRef(instance), target);
    }
  } catch (error) {
    // The runner logs the failure and records the fault once the rollback is done.
    await rollbackLiveMigration(deps, instance, args, MigrationStatus.ERROR, sourceVolumes);
    throw error;
  } finally {
    inProgress.end(uuid);
  }
  if (result === 'aborted') {
    LOG.info(`Live migration to ${destHost} aborted; the instance stays here`, { instance: uuid });
    await rollbackLiveMigration(deps, instance, args, MigrationStatus.CANCELLED, sourceVolumes);
    return { changes: {} };
  }
  return postLiveMigration(deps, instance, args);
}

/** The guest runs on the destination now: finish it there, clean up here, and move the claims and the record. */
async function postLiveMigration(deps: ComputeManagerDeps, instance: AgentInstance, args: LiveMigrationArgs): Promise<ActionOutcome> {
  const { conductor } = deps;
  const { migration, destHost, destNode } = args;
  const claim = { instanceUuid: instance.uuid, migrationUuid: migration.uuid };
  await conductor.migrationUpdate({ id: migration.id, changes: { status: MigrationStatus.POST_MIGRATING } });
  try {
    const powerState = await deps.agents.call(destHost, 'post_live_migration_at_destination', { instanceUuid: instance.uuid });
    await deps.driver.postLiveMigrationAtSource(guestSpec(instance));
    // The volumes are the destination's now: this host's attachments go.
    await dropOtherAttachments(deps, instance.uuid);
    await conductor.confirmMoveResources(claim);
    await conductor.migrationUpdate({ id: migration.id, changes: { status: MigrationStatus.COMPLETED } });
    LOG.info(`Migrating instance to ${destHost} finished successfully.`, { instance: instance.uuid });
    return { changes: { host: destHost, node: destNode, powerState }, after: () => deps.reportResources() };
  } catch (error) {
    await conductor.confirmMoveResources(claim);
    await conductor.migrationUpdate({ id: migration.id, changes: { status: MigrationStatus.ERROR } });
    await deps.reportResources();
    throw new PostLiveMigrationFailed(destHost, destNode, error);
  }
}

/** Nova's _rollback_live_migration: undo the destination's preparation and give back its claim; the guest stays here. */
async function rollbackLiveMigration(deps: ComputeManagerDeps, instance: AgentInstance, args: LiveMigrationArgs, status: MigrationStatus, sourceVolumes: readonly AgentBlockDevice[]): Promise<void> {
  try {
    await deps.agents.call(args.destHost, 'rollback_live_migration_at_destination', { instanceUuid: instance.uuid, blockMigration: args.blockMigration });
  } catch (error) {
    LOG.warning(`Rollback of the live migration on ${args.destHost} failed: ${messageOf(error)}`, { instance: instance.uuid });
  }
  // The volumes hold this host's attachments and connections again; the destination's go.
  await restoreAttachments(deps, instance.uuid, sourceVolumes);
  await giveUpMigration(deps, instance.uuid, args.migration, status);
}

