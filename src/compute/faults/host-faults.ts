/**
 * The injections acting on one compute agent (/v2.1/nimbus/faults): the driver decorator asks before
 * each driver call, the heartbeat before each report, the RPC server before each message. Each
 * application, and each end, is logged at WARNING under the request it happened in.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { getLogger } from '../../common/logging/logger.js';
import type { DriverOperation } from '../virt/driver.js';
import { DriverOperationFailed } from '../virt/errors.js';
import { describeFault, stepName, type FaultInjection, type FaultKind } from './fault-injection.js';

const LOG = getLogger('nimbus.compute.faults');

/** Messages that pass a paused bus: the ones that change the injections themselves. */
export const FAULT_VERBS: ReadonlySet<string> = new Set(['inject_fault', 'clear_fault']);

interface Active {
  readonly fault: FaultInjection;
  remaining: number | null;
  timer: NodeJS.Timeout | undefined;
}

export class HostFaults {
  readonly #active = new Map<string, Active>();
  /** Messages held by a paused bus, let go when the last pause ends. */
  #held: { readonly promise: Promise<void>; readonly release: () => void } | undefined;

  /** `used`: tells the database one application of a counted injection happened (the conductor's fault_injection_used). */
  constructor(
    readonly host: string,
    private readonly used: (id: string) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  /** At start: the host's injections as the database has them, replacing any held before. */
  load(faults: readonly FaultInjection[]): void {
    for (const id of [...this.#active.keys()]) this.#remove(id);
    for (const fault of faults) this.add(fault);
  }

  /** A new injection for this host (ignored when it is another host's or already held). */
  add(fault: FaultInjection): void {
    if (fault.host !== this.host || this.#active.has(fault.id)) return;
    const left = fault.expiresAt === null ? null : Date.parse(fault.expiresAt) - this.now();
    if (left !== null && left <= 0) return;
    const entry: Active = { fault, remaining: fault.remaining, timer: undefined };
    if (left !== null) {
      entry.timer = setTimeout(() => this.#end(fault.id, 'its duration passed'), left);
      entry.timer.unref();
    }
    this.#active.set(fault.id, entry);
    if (fault.kind === 'pause_bus' && this.#held === undefined) {
      let release = (): void => undefined;
      const promise = new Promise<void>((resolve) => {
        release = resolve;
      });
      this.#held = { promise, release };
    }
    LOG.warning(`Fault injection ${fault.id} active on ${this.host}: ${describeFault(fault)}`);
  }

  /** The admin cleared it. */
  clear(id: string): void {
    if (this.#active.has(id)) this.#end(id, 'it was cleared');
  }

  /** The injections acting now. */
  list(): FaultInjection[] {
    return [...this.#active.values()].map(({ fault, remaining }) => ({ ...fault, remaining }));
  }

  /** Before a driver call: waits (slow) and/or throws DriverOperationFailed (fail) as matching injections say. */
  async beforeDriverCall(operation: DriverOperation, instanceUuid: string | undefined): Promise<void> {
    if (this.#active.size === 0) return;
    const step = stepName(operation);
    for (const entry of [...this.#active.values()]) {
      const { fault } = entry;
      if (fault.kind !== 'slow' && fault.kind !== 'fail') continue;
      if (fault.operation !== null && fault.operation !== step) continue;
      if (fault.instanceUuid !== null && fault.instanceUuid !== instanceUuid) continue;
      if (!this.#active.has(fault.id)) continue;
      this.#apply(entry, fault.kind === 'slow' ? `${step} waits ${fault.delayMs ?? 0} ms` : `${step} fails`, instanceUuid);
      if (fault.kind === 'slow') {
        await sleep(fault.delayMs ?? 0);
      } else {
        throw new DriverOperationFailed(operation, `injected failure (fault injection ${fault.id})`, instanceUuid === undefined ? {} : { instanceUuid });
      }
    }
  }

  /** Before a service report: true when a drop_heartbeat injection swallows it. */
  dropsHeartbeat(): boolean {
    const entry = this.#firstOf('drop_heartbeat');
    if (entry === undefined) return false;
    this.#apply(entry, 'the service report is not sent');
    return true;
  }

  /** Before a bus message is handled: resolves at once, or when the pause ends (messages wait on the bus, none is lost). */
  busPassage(method: string): Promise<void> | undefined {
    const held = this.#held;
    if (held === undefined || FAULT_VERBS.has(method)) return undefined;
    const entry = this.#firstOf('pause_bus');
    if (entry !== undefined) this.#apply(entry, `message '${method}' waits until the bus resumes`);
    return held.promise;
  }

  /** The agent stops: timers go, held messages are let go. */
  stop(): void {
    for (const id of [...this.#active.keys()]) this.#remove(id);
  }

  #firstOf(kind: FaultKind): Active | undefined {
    for (const entry of this.#active.values()) if (entry.fault.kind === kind) return entry;
    return undefined;
  }

  /** Logs one application and counts it, ending a counted injection on its last one. */
  #apply(entry: Active, what: string, instanceUuid?: string): void {
    const { fault } = entry;
    LOG.warning(`Fault injection ${fault.id} applied on ${this.host}: ${what}`, instanceUuid === undefined ? {} : { instance: instanceUuid });
    if (entry.remaining === null) return;
    entry.remaining -= 1;
    this.used(fault.id).catch((error: unknown) => LOG.warning(`Could not record a use of fault injection ${fault.id}: ${String(error)}`));
    if (entry.remaining <= 0) this.#end(fault.id, 'its count is used up');
  }

  #end(id: string, why: string): void {
    const entry = this.#active.get(id);
    if (entry === undefined) return;
    this.#remove(id);
    LOG.warning(`Fault injection ${id} on ${this.host} ended: ${why}`);
  }

  #remove(id: string): void {
    const entry = this.#active.get(id);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.#active.delete(id);
    if (this.#held !== undefined && this.#firstOf('pause_bus') === undefined) {
      this.#held.release();
      this.#held = undefined;
    }
  }
}
