/**
 * Neutron's Nova notifier: port events Nova waits for (network-vif-plugged when a guest's port
 * goes ACTIVE, network-vif-unplugged when it goes DOWN after that, network-vif-deleted) and
 * network-changed (a floating IP came to or left the port: Nova re-reads the guest's addresses)
 * are gathered for a short while and sent in one `os-server-external-events` request, as
 * Neutron's send_events_interval batches them, at most MAX_EVENTS_PER_REQUEST to a request. Only
 * ports of guests (`compute:*` owners with a device id) concern Nova. A Nova that does not know
 * the API (404) is warned about once and nothing fails.
 */
import { messageOf } from '../../common/errors/errors.js';
import { fetchService, remoteFault } from '../../common/http/remote-fault.js';
import { getLogger } from '../../common/logging/logger.js';

const LOG = getLogger('nimbus.network.nova_notifier');

export type VifEventName = 'network-vif-plugged' | 'network-vif-unplugged' | 'network-vif-deleted' | 'network-changed';

/** One event of Nova's os-server-external-events body. */
export interface VifEvent {
  readonly name: VifEventName;
  readonly server_uuid: string;
  /** The port id. */
  readonly tag: string;
  readonly status: 'completed' | 'failed';
}

/** What the notifier needs to know of a port. */
export interface NotifiedPort {
  readonly id: string;
  readonly device_id: string;
  readonly device_owner: string;
}

/** Sends one batch; resolves with the HTTP status Nova answered. */
export type VifEventSender = (events: readonly VifEvent[]) => Promise<number>;

/**
 * Events in one request. A batch gathered behind a slow one (1,000 servers deleted at once) held
 * ~750 events, more than Nova's max_request_body_size (112 KiB): the 413 lost the plugged events
 * of new servers in it, whose builds then waited vif_plugging_timeout. 100 events with tags of the
 * schema's longest (255) stay under a third of that limit.
 */
export const MAX_EVENTS_PER_REQUEST = 100;

export function concernsNova(port: NotifiedPort): boolean {
  return port.device_owner.startsWith('compute:') && port.device_id !== '';
}

/** The event a status change is, if any: ACTIVE from anything else is plugged; DOWN after ACTIVE is unplugged. */
export function statusEvent(port: NotifiedPort, previous: string, current: string): VifEvent | undefined {
  if (!concernsNova(port) || previous === current) return undefined;
  if (current === 'ACTIVE') return { name: 'network-vif-plugged', server_uuid: port.device_id, tag: port.id, status: 'completed' };
  if (current === 'DOWN' && previous === 'ACTIVE') return { name: 'network-vif-unplugged', server_uuid: port.device_id, tag: port.id, status: 'completed' };
  return undefined;
}

export function deletedEvent(port: NotifiedPort): VifEvent | undefined {
  return concernsNova(port) ? { name: 'network-vif-deleted', server_uuid: port.device_id, tag: port.id, status: 'completed' } : undefined;
}

/** Neutron's _get_network_changed_event: what Nova caches of the port (its floating IPs) is stale. */
export function changedEvent(port: NotifiedPort): VifEvent | undefined {
  return concernsNova(port) ? { name: 'network-changed', server_uuid: port.device_id, tag: port.id, status: 'completed' } : undefined;
}

export class NovaNotifier {
  #pending: VifEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> = Promise.resolve();
  #warnedMissing = false;

  constructor(
    private readonly send: VifEventSender,
    /** How long events gather before they go (Neutron's send_events_interval, 2 s). */
    private readonly batchDelayMs: number,
  ) {}

  queue(event: VifEvent | undefined): void {
    if (event === undefined) return;
    this.#pending.push(event);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#sending = this.#sending.then(() => this.#flush());
    }, this.batchDelayMs);
  }

  /** Sends what is pending now (a stopping server), and waits for batches in flight. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sending = this.#sending.then(() => this.#flush());
    await this.#sending;
  }

  async #flush(): Promise<void> {
    const events = this.#pending;
    this.#pending = [];
    // Each request stands alone: one refused loses its own events, not those of the others.
    for (let start = 0; start < events.length; start += MAX_EVENTS_PER_REQUEST) await this.#send(events.slice(start, start + MAX_EVENTS_PER_REQUEST));
  }

  async #send(events: readonly VifEvent[]): Promise<void> {
    try {
      const status = await this.send(events);
      if (status === 404) {
        if (!this.#warnedMissing) LOG.warning('Nova does not offer os-server-external-events (404): port events are not delivered until it does');
        this.#warnedMissing = true;
      } else if (status >= 400) {
        LOG.warning(`Nova refused ${events.length} port event(s) with HTTP ${status}: ${describe(events)}`);
      } else {
        LOG.info(`Sent ${describe(events)} to Nova (HTTP ${status})`);
      }
    } catch (error) {
      LOG.warning(`Cannot send ${describe(events)} to Nova: ${messageOf(error)}`);
    }
  }
}

function describe(events: readonly VifEvent[]): string {
  return events.map((event) => `${event.name} for port ${event.tag} of server ${event.server_uuid}`).join(', ');
}

/** A token and the compute endpoint, from `[service_user]` (or the all-in-one's own administrator). */
export interface NovaAuth {
  token(): Promise<string>;
  endpoint(type: 'compute'): Promise<string>;
}

/** Posts a batch to `<compute endpoint>/os-server-external-events` as the service user. 207 (some unknown servers) counts as delivered. */
export function httpVifEventSender(auth: () => NovaAuth | undefined): VifEventSender {
  return async (events) => {
    const session = auth();
    if (session === undefined) throw new Error('no service user is configured to authenticate to Nova');
    const url = `${(await session.endpoint('compute')).replace(/\/$/, '')}/os-server-external-events`;
    const response = await fetchService(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': await session.token() }, body: JSON.stringify({ events }) },
      'Sending port events to Nova',
    );
    if (response.status >= 400 && response.status !== 404) throw await remoteFault(response, 'Sending port events to Nova');
    await response.body?.cancel();
    return response.status;
  };
}
