/**
 * Nova's live-migration pre-checks: the conductor asks the destination, which names its instance
 * storage and asks the source; the source compares it with its own. Shared storage means the
 * disks stay where they are, so a block migration is refused there and required elsewhere;
 * `auto` (null) picks whichever the storage allows. A refusal is an answer (Nova's 400s), which
 * the conductor turns into the request's error.
 */
import { guestSpec } from '../guest-spec.js';
import type { AgentHandlers, LiveMigrationCheck } from '../rpc-api.js';
import type { OperationContext } from './operation-context.js';
import { runEvent } from './run-event.js';

type CheckVerbs = 'check_can_live_migrate_destination' | 'check_can_live_migrate_source';

/** The source's verdict, given whether it shares instance storage with the destination. */
export function liveMigrationStorage(sourceHost: string, shared: boolean, requested: boolean | null): LiveMigrationCheck {
  if (requested === true && shared) return { refused: `${sourceHost} is not on local storage: Block migration can not be used with shared storage.` };
  if (requested === false && !shared) {
    return { refused: `${sourceHost} is not on shared storage: Shared storage live-migration requires either shared storage or boot-from-volume with no local disks.` };
  }
  return { blockMigration: !shared };
}

export function liveMigrationChecks({ deps }: OperationContext): Pick<AgentHandlers, CheckVerbs> {
  return {
    check_can_live_migrate_destination: ({ instanceUuid, sourceHost, blockMigration }) =>
      runEvent(deps, instanceUuid, 'compute_check_can_live_migrate_destination', async () => {
        const instance = await deps.conductor.instanceGet(instanceUuid);
        const blocker = instance ? await deps.driver.liveMigrationBlocker(guestSpec(instance)) : null;
        if (blocker !== null) return { refused: blocker };
        const destStorageId = await deps.driver.instanceStorageId();
        return deps.agents.call(sourceHost, 'check_can_live_migrate_source', { instanceUuid, destHost: deps.host, destStorageId, blockMigration });
      }),

    check_can_live_migrate_source: ({ instanceUuid, destStorageId, blockMigration }) =>
      runEvent(deps, instanceUuid, 'compute_check_can_live_migrate_source', async () => {
        // Nova's is_shared_block_storage: a volume-backed guest's root disk is reached from every host.
        const instance = await deps.conductor.instanceGet(instanceUuid);
        const volumeBacked = instance?.volumes.some((volume) => volume.bootIndex === 0) ?? false;
        const shared = volumeBacked || destStorageId === (await deps.driver.instanceStorageId());
        return liveMigrationStorage(deps.host, shared, blockMigration);
      }),
  };
}
