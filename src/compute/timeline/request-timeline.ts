/**
 * A request's timeline (Nimbus's own, no OpenStack API has it): the steps its request id took
 * through API, conductor, scheduler and compute agents, from the per-request trace and the
 * instance action events the workers recorded, in the order they started.
 */
import type { DbTimestamp } from '../../common/db/timestamps.js';
import type { RequestStep, TracedAction } from '../db/request-step-store.js';

export interface TimelineStep {
  readonly service: string;
  readonly host: string | null;
  readonly step: string;
  readonly instance_uuid: string | null;
  readonly start_time: DbTimestamp;
  readonly finish_time: DbTimestamp | null;
  /** `Success`, `Error`, or null while it runs. */
  readonly result: string | null;
  readonly details: string | null;
}

export interface RequestTimeline {
  readonly request_id: string;
  readonly actions: readonly { readonly instance_uuid: string; readonly action: string; readonly start_time: DbTimestamp }[];
  readonly steps: readonly TimelineStep[];
}

/** Which service recorded an event: the agents' are Nova's `compute_*` events, the rest the conductor's. */
function serviceOfEvent(event: string): string {
  return event.startsWith('compute_') ? 'nova-compute' : 'nova-conductor';
}

/** A step still running ends after every finished one. */
const OPEN_END = '9999';

/** By start; of two that started in the same millisecond, the one that ends later (the enclosing one) first. */
function byStartThenEnclosing(a: TimelineStep, b: TimelineStep): number {
  if (a.start_time !== b.start_time) return a.start_time < b.start_time ? -1 : 1;
  const [endA, endB] = [a.finish_time ?? OPEN_END, b.finish_time ?? OPEN_END];
  return endA === endB ? 0 : endA > endB ? -1 : 1;
}

export function requestTimeline(requestId: string, actions: readonly TracedAction[], traced: readonly RequestStep[]): RequestTimeline {
  const events: TimelineStep[] = actions.flatMap(({ action, events: recorded }) =>
    recorded.map((event) => ({
      service: serviceOfEvent(event.event),
      host: event.host,
      step: event.event,
      instance_uuid: action.instance_uuid,
      start_time: event.start_time,
      finish_time: event.finish_time,
      result: event.result,
      details: event.traceback === null ? null : event.traceback.split('\n')[0] ?? null,
    })),
  );
  const steps: TimelineStep[] = traced.map((step) => ({
    service: step.service,
    host: step.host,
    step: step.step,
    instance_uuid: step.instance_uuid,
    start_time: step.start_time,
    finish_time: step.finish_time,
    result: step.result,
    details: step.details,
  }));
  const ordered = [...steps, ...events].sort(byStartThenEnclosing);
  return {
    request_id: requestId,
    actions: actions.map(({ action }) => ({ instance_uuid: action.instance_uuid, action: action.action, start_time: action.start_time })),
    steps: ordered,
  };
}
