/**
 * os-server-external-events (Nova's ServerExternalEventsController + compute API
 * external_instance_event): events from Neutron (and Cinder) about servers, each answered with
 * its own code — 200 accepted and cast to the server's host, 404 unknown server, 422 no host yet,
 * 400 a tag missing where the event needs one — and 207 for the whole when any one failed.
 */
import { getLogger } from '../../common/logging/logger.js';
import type { ComputeAgentApi, ExternalEventWire } from '../agent/rpc-api.js';
import type { ServerStore } from '../db/server-store.js';

const LOG = getLogger('nimbus.compute.api');

/** Nova's TAG_REQUIRED. */
const TAG_REQUIRED = new Set(['volume-extended', 'power-update', 'accelerator-request-bound']);

export interface ExternalEventRequest {
  readonly server_uuid: string;
  readonly name: string;
  readonly status?: 'failed' | 'completed' | 'in-progress';
  readonly tag?: string;
}

export interface ExternalEventAnswer extends ExternalEventRequest {
  readonly status: 'failed' | 'completed' | 'in-progress';
  readonly code: number;
}

export interface ExternalEventsResult {
  readonly code: 200 | 207;
  readonly events: ExternalEventAnswer[];
}

export async function createExternalEvents(store: Pick<ServerStore, 'hostsOf'>, agents: ComputeAgentApi, requested: readonly ExternalEventRequest[]): Promise<ExternalEventsResult> {
  // One query for the whole batch (Neutron's notifier sends up to a hundred events at once).
  const hosts = await store.hostsOf([...new Set(requested.map((event) => event.server_uuid))]);
  const byHost = new Map<string, ExternalEventWire[]>();
  let code: 200 | 207 = 200;
  const events = requested.map((event): ExternalEventAnswer => {
    const host = hosts.get(event.server_uuid);
    const tag = event.tag ?? null;
    const describe = `${event.name}:${tag ?? 'None'} for instance ${event.server_uuid}`;
    const failed = (status: number, why: string): ExternalEventAnswer => {
      LOG.debug(`Dropping event ${describe}: ${why}`);
      code = 207;
      return { ...event, status: 'failed', code: status };
    };
    if (host === undefined) return failed(404, 'unknown instance');
    if (TAG_REQUIRED.has(event.name) && tag === null) return failed(400, 'the event needs a tag');
    if (host === null) return failed(422, 'the instance has no host');
    LOG.info(`Creating event ${event.name}:${tag ?? 'None'} for instance ${event.server_uuid} on ${host}`);
    byHost.set(host, [...(byHost.get(host) ?? []), { instanceUuid: event.server_uuid, name: event.name, tag, status: event.status ?? 'completed' }]);
    return { ...event, status: 'completed', code: 200 };
  });
  for (const [host, hostEvents] of byHost) await agents.cast(host, 'external_instance_event', { events: hostEvents });
  return { code, events };
}
