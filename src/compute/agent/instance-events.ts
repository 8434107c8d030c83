/**
 * Nova's InstanceEvents (compute/manager.py): external events an operation waits for, such as
 * Neutron's `network-vif-plugged` for each port of a guest about to start. The wait is
 * registered before the action that causes the event (binding the port), so an event that
 * arrives at once is not lost; an event nobody waits for is only logged, as Nova does.
 */
import { getLogger } from '../../common/logging/logger.js';

const LOG = getLogger('nimbus.compute.manager');

/** An event as Neutron or Cinder reports it (os-server-external-events), for one instance. */
export interface InstanceEvent {
  readonly name: string;
  /** The port id for the network-vif-* events, the volume id for volume-extended. */
  readonly tag: string | null;
  readonly status: 'completed' | 'failed' | 'in-progress';
}

/** Nova's event key: `name-tag`. */
function eventKey(name: string, tag: string | null): string {
  return tag === null ? name : `${name}-${tag}`;
}

interface Waiter {
  readonly name: string;
  readonly tag: string | null;
  readonly resolve: (event: InstanceEvent) => void;
  readonly promise: Promise<InstanceEvent>;
}

export class InstanceEvents {
  readonly #waiting = new Map<string, Map<string, Waiter>>();
  #cancelled = false;

  /** Starts waiting for each event of the instance; `wait` then gets them. */
  prepare(instanceUuid: string, events: readonly { name: string; tag: string | null }[]): PreparedEvents {
    if (this.#cancelled) throw new Error('In shutdown, no new events can be scheduled');
    const forInstance = this.#waiting.get(instanceUuid) ?? new Map<string, Waiter>();
    this.#waiting.set(instanceUuid, forInstance);
    const keys = events.map(({ name, tag }) => eventKey(name, tag));
    for (const { name, tag } of events) {
      let resolve: (event: InstanceEvent) => void = () => undefined;
      const promise = new Promise<InstanceEvent>((done) => (resolve = done));
      forInstance.set(eventKey(name, tag), { name, tag, resolve, promise });
    }
    return new PreparedEvents(keys.map((key) => [key, forInstance.get(key)?.promise ?? Promise.reject(new Error(key))]), () => this.#clear(instanceUuid, keys));
  }

  /** Delivers an event; false when nothing waited for it. */
  pop(instanceUuid: string, event: InstanceEvent): boolean {
    const key = eventKey(event.name, event.tag);
    const waiter = this.#waiting.get(instanceUuid)?.get(key);
    if (waiter === undefined) {
      LOG.debug(`Received unexpected event ${key} (${event.status})`, { instance: instanceUuid });
      return false;
    }
    this.#clear(instanceUuid, [key]);
    waiter.resolve(event);
    return true;
  }

  /**
   * Nova's cancel_all_events (cleanup_host, as the service stops): every wait ends now with its
   * events failed, so an operation waiting for Neutron (which may be stopping too) does not hold
   * the agent's stop for vif_plugging_timeout; no new wait is taken after.
   */
  cancelAll(): void {
    this.#cancelled = true;
    const waiting = [...this.#waiting.values()].flatMap((forInstance) => [...forInstance.values()]);
    this.#waiting.clear();
    for (const { name, tag, resolve } of waiting) resolve({ name, tag, status: 'failed' });
  }

  #clear(instanceUuid: string, keys: readonly string[]): void {
    const forInstance = this.#waiting.get(instanceUuid);
    if (forInstance === undefined) return;
    for (const key of keys) forInstance.delete(key);
    if (forInstance.size === 0) this.#waiting.delete(instanceUuid);
  }
}

/** Events registered for one operation. */
export class PreparedEvents {
  constructor(
    private readonly events: readonly (readonly [string, Promise<InstanceEvent>])[],
    private readonly cancel: () => void,
  ) {}

  /**
   * Waits for all of them for up to `timeoutSeconds`; resolves with the keys of those that did
   * not come (empty: all arrived) and of those reported `failed`. Stops waiting either way.
   */
  async wait(timeoutSeconds: number): Promise<{ missing: string[]; failed: string[] }> {
    const arrived = new Map<string, InstanceEvent>();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutSeconds * 1000)));
    try {
      await Promise.race([Promise.all(this.events.map(async ([key, promise]) => arrived.set(key, await promise))), deadline]);
    } finally {
      clearTimeout(timer);
      this.cancel();
    }
    const keys = this.events.map(([key]) => key);
    return {
      missing: keys.filter((key) => !arrived.has(key)),
      failed: keys.filter((key) => arrived.get(key)?.status === 'failed'),
    };
  }

  /** Stops waiting (the operation failed before it needed the events). */
  abandon(): void {
    this.cancel();
  }
}
