/**
 * The per-request trace: steps a request took that no instance action event records (the API's
 * handling, the scheduler's answer), written as the services take them. One insert per step, by
 * the roles that hold the database (API and conductor); the timeline reads them with the events.
 */
import { currentContext } from '../../common/context/request-context.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { getLogger } from '../../common/logging/logger.js';
import type { RequestStepStore } from '../db/request-step-store.js';

const LOG = getLogger('nimbus.compute.timeline');

/** The services a timeline names, by Nova's binaries (QEMU's steps are the agent's events). */
export type TracedService = 'nova-api' | 'nova-conductor' | 'nova-scheduler' | 'nova-compute';

export interface TracedStep {
  readonly service: TracedService;
  readonly host: string;
  readonly step: string;
  readonly instanceUuid?: string | null;
  readonly start: Date;
  readonly finish: Date;
  readonly ok: boolean;
  readonly details?: string;
}

export class RequestTrace {
  constructor(private readonly store: RequestStepStore) {}

  /** Records a step of the request (the current one by default); a trace that cannot be written never fails the request. */
  async record(step: TracedStep, requestId = currentContext()?.requestId): Promise<void> {
    if (requestId === undefined) return;
    try {
      await this.store.add({
        request_id: requestId,
        instance_uuid: step.instanceUuid ?? null,
        service: step.service,
        host: step.host,
        step: step.step.slice(0, 255),
        start_time: toDbTimestamp(step.start),
        finish_time: toDbTimestamp(step.finish),
        result: step.ok ? 'Success' : 'Error',
        details: step.details === undefined ? null : step.details.slice(0, 255),
      });
    } catch (error) {
      LOG.warning(`Could not record the request step ${step.step}`, { error });
    }
  }
}
