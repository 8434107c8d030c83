/**
 * The conductor's bookkeeping of what it runs: before a task starts, each instance it works on is
 * recorded as this conductor's (service host and process boot, the request id, the migration);
 * when the task has finished or rolled back the record goes. What a dead conductor leaves behind
 * is settled by orphaned-tasks.ts.
 */
import { randomUUID } from 'node:crypto';
import { currentContext } from '../../common/context/request-context.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ConductorOwner, ConductorTaskStore } from '../db/conductor-task-store.js';

const LOG = getLogger('nimbus.compute.conductor');

/** The conductor's binary in the services table. */
export const CONDUCTOR_BINARY = 'nova-conductor';

/** The tasks whose owner is recorded (the `task` column). */
export const ConductorTask = {
  BUILD: 'build',
  RESCHEDULE: 'reschedule',
  MIGRATE: 'migrate',
  LIVE_MIGRATE: 'live_migrate',
  EVACUATE: 'evacuate',
  UNSHELVE: 'unshelve',
} as const;
export type ConductorTask = (typeof ConductorTask)[keyof typeof ConductorTask];

/** One instance a task works on, and the migration it works under if the caller made one. */
export interface TaskSubject {
  readonly instanceUuid: string;
  readonly migrationId?: number;
}

export class TaskOwner {
  /** This conductor process: its host, and a boot id no other start of it shares. */
  readonly self: ConductorOwner;

  constructor(
    private readonly store: ConductorTaskStore,
    host: string,
  ) {
    this.self = { host, boot: randomUUID() };
  }

  /** Runs `work` with `subjects` recorded as this conductor's, and gives them back after. */
  async run(task: ConductorTask, subjects: readonly TaskSubject[], work: () => Promise<void>): Promise<void> {
    const requestId = currentContext()?.requestId ?? null;
    for (const { instanceUuid, migrationId } of subjects) {
      await this.store.take(this.self, { instanceUuid, task, requestId, migrationId: migrationId ?? null });
    }
    try {
      await work();
    } finally {
      for (const { instanceUuid } of subjects) {
        // Left behind, the row reads as ours until this process ends; the next start settles it.
        await this.store.release(instanceUuid, this.self).catch((error: unknown) => LOG.warning(`Could not clear the record of ${task}: ${messageOf(error)}`, { instance: instanceUuid }));
      }
    }
  }
}
