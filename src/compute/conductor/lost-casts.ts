/**
 * A cast from the compute API to the conductor that no conductor took before its timeout (none
 * listened: every conductor down, or none had declared its queue again after a broker restart) is
 * dropped by the bus, and the instance would stay in the task state the API set for ever (Nova
 * leaves that to `nova reset-state`). Instead the task is recorded as one whose conductor is gone,
 * so the next recovery sweep of any conductor (at its start, then periodically) settles it as it
 * settles a dead conductor's (orphaned-tasks.ts): the build in ERROR, the move undone, the unshelve
 * back to offloaded, each with a fault.
 */
import { currentContext } from '../../common/context/request-context.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ConductorTaskStore } from '../db/conductor-task-store.js';
import type { ConductorTask, TaskSubject } from './task-owner.js';

const LOG = getLogger('nimbus.compute.conductor');

/** The boot of the owner recorded for a lost cast: no conductor process has it, so the row is always orphaned. */
export const LOST_CAST_BOOT = 'lost-cast';

/** Called by the bus when a cast of `task` about `subjects` is dropped. */
export type LostTaskRecorder = (task: ConductorTask, subjects: readonly TaskSubject[]) => () => void;

/** Records lost casts in compute_conductor_tasks under `host` (the sender's), with the sender's request id. */
export function lostTaskRecorder(store: ConductorTaskStore, host: string): LostTaskRecorder {
  const owner = { host, boot: LOST_CAST_BOOT };
  return (task, subjects) => {
    // Read now: the drop is noticed later, outside the request.
    const requestId = currentContext()?.requestId ?? null;
    return () => {
      void (async () => {
        for (const { instanceUuid, migrationId } of subjects) {
          try {
            await store.take(owner, { instanceUuid, task, requestId, migrationId: migrationId ?? null });
            LOG.info(`No conductor took the ${task}: left for the conductors' recovery to settle`, { instance: instanceUuid });
          } catch (error) {
            LOG.error(`Could not record the lost ${task} for recovery: ${messageOf(error)}`, { instance: instanceUuid });
          }
        }
      })();
    };
  };
}
