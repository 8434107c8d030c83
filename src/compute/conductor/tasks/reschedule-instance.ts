/**
 * A build failed on its host (Nova's reschedule through build_instances with alternates): give
 * back that host's claim, claim the next alternate — or ask the scheduler again, excluding the
 * hosts tried (RetryFilter) — and send the build there; after max_attempts, ERROR with the last fault.
 */
import { messageOf } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import { fromWireSpec, type ClaimedSelection, type WireRequestSpec } from '../../scheduler/rpc-api.js';
import type { RescheduleArgs } from '../rpc-api.js';
import { dispatchBuild, failBuild, releaseClaim } from './build-steps.js';
import type { ConductorTask, TaskDeps } from './task.js';

const LOG = getLogger('nimbus.compute.conductor');

export class RescheduleInstanceTask implements ConductorTask {
  #claimed: ClaimedSelection | undefined;

  constructor(
    private readonly deps: TaskDeps,
    private readonly args: RescheduleArgs,
  ) {}

  async execute(): Promise<void> {
    const { deps, args } = this;
    const uuid = args.build.instanceUuid;
    await releaseClaim(deps, uuid, args.failedHost);
    const tried = [...(args.spec.retry?.hosts ?? []), args.failedHost];
    const attempts = args.spec.retry?.numAttempts ?? 1;
    if (attempts >= deps.maxAttempts) throw new Error(`Exceeded maximum number of retries (${deps.maxAttempts})`);
    const spec: WireRequestSpec = { ...args.spec, retry: { numAttempts: attempts + 1, hosts: tried } };
    const alternates = args.alternates.filter((alternate) => !tried.includes(alternate.host));
    this.#claimed =
      (await deps.scheduler.claimAlternate(uuid, fromWireSpec(spec), alternates)) ??
      (await deps.scheduler.selectDestinations(fromWireSpec(spec)))[0];
    if (!this.#claimed) throw new Error('The scheduler returned no destination');
    LOG.info(`Rescheduling build (attempt ${attempts + 1}) from ${args.failedHost} to ${this.#claimed.destination.host}`, { instance: uuid });
    const claimed = this.#claimed;
    this.#claimed = undefined;
    await dispatchBuild(deps, args.build, spec, claimed);
  }

  /** Whatever stopped the retry, the instance's fault is the build failure that caused it. */
  async rollback(error: unknown): Promise<void> {
    const uuid = this.args.build.instanceUuid;
    LOG.info(`Not rescheduling: ${messageOf(error)}`, { instance: uuid });
    if (this.#claimed) await releaseClaim(this.deps, uuid, this.#claimed.destination.host);
    await failBuild(this.deps, uuid, this.args.fault);
  }
}
