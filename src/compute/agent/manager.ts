/**
 * The compute agent's handlers (Nova's ComputeManager), one per verb, grouped by concern in
 * operations/. The API has already moved the instance into the verb's task state; each handler
 * checks it is still there, drives the hypervisor and finishes the transition through the
 * conductor — or reverts the task state and records a fault. Operations on one instance run one
 * at a time.
 */
import { InstanceActionRunner } from './instance-action-runner.js';
import type { AgentHandlers } from './rpc-api.js';
import { buildOperation } from './operations/build-and-run-instance.js';
import { consoleOutputOperation } from './operations/console-output.js';
import { cacheImagesOperation } from './operations/cache-images.js';
import { diagnosticsOperation } from './operations/diagnostics.js';
import { hostUptimeOperation } from './operations/host-uptime.js';
import { vncConsoleOperation } from './operations/vnc-console.js';
import { guestOperations } from './operations/guest-operations.js';
import { evacuateOperation } from './operations/evacuate-instance.js';
import { externalEventsOperation } from './operations/external-events.js';
import { liveMigrationChecks } from './operations/live-migration-checks.js';
import { liveMigrationOperations } from './operations/live-migration.js';
import type { ComputeManagerDeps, OperationContext } from './operations/operation-context.js';
import { powerOperations } from './operations/power-operations.js';
import { pollShelvedInstances, shelveOperations } from './operations/shelve.js';
import { snapshotOperation } from './operations/snapshot-instance.js';
import { backupOperation } from './operations/backup-instance.js';
import { rebuildOperation } from './operations/rebuild-instance.js';
import { resizeOperations } from './operations/resize-operations.js';
import { resizeSettleOperations } from './operations/resize-settle.js';
import { terminateOperation } from './operations/terminate-instance.js';
import { reclaimQueuedDeletes, softDeleteOperations } from './operations/soft-delete.js';
import { interfaceOperations } from './operations/interface-operations.js';
import { volumeOperations } from './operations/volume-operations.js';
import { faultInjectionOperations } from './operations/fault-injections.js';

export type { ComputeManagerDeps } from './operations/operation-context.js';

export class ComputeManager {
  readonly handlers: AgentHandlers;
  readonly #deps: ComputeManagerDeps;

  constructor(deps: ComputeManagerDeps) {
    this.#deps = deps;
    const context: OperationContext = { deps, runner: new InstanceActionRunner(deps.conductor, deps.host) };
    this.handlers = {
      ...buildOperation(context),
      ...powerOperations(context),
      ...terminateOperation(context),
      ...consoleOutputOperation(context),
      ...diagnosticsOperation(context),
      ...hostUptimeOperation(),
      ...vncConsoleOperation(context),
      ...snapshotOperation(context),
      ...backupOperation(context),
      ...softDeleteOperations(context),
      ...shelveOperations(context),
      ...guestOperations(context),
      ...rebuildOperation(context),
      ...resizeOperations(context),
      ...resizeSettleOperations(context),
      ...liveMigrationChecks(context),
      ...liveMigrationOperations(context),
      ...evacuateOperation(context),
      ...volumeOperations(context),
      ...interfaceOperations(context),
      ...externalEventsOperation(context),
      ...cacheImagesOperation(context),
      ...faultInjectionOperations(context),
    };
  }

  /** The periodic offload of instances shelved here longer than shelved_offload_time. */
  pollShelvedInstances(): Promise<void> {
    return pollShelvedInstances(this.#deps, this.handlers);
  }

  /** The periodic reclaim of instances soft-deleted here longer than reclaim_instance_interval. */
  reclaimQueuedDeletes(reclaimSeconds: number): Promise<void> {
    return reclaimQueuedDeletes(this.#deps, this.handlers, reclaimSeconds);
  }
}
