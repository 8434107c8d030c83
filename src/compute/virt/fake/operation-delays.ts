import { setTimeout as sleep } from 'node:timers/promises';
import type { DriverOperation } from '../driver.js';

export type DelayTable = Partial<Record<DriverOperation, number>>;

/**
 * How long each fake operation takes (milliseconds, default 0), so tests and benchmarks can see
 * transitional states and overlapping requests. A wait ends early when its signal aborts, which
 * is how a live migration is aborted or forced to complete mid-way.
 */
export class OperationDelays {
  // Most fake hosts never set a delay; the map is made on first use to keep large fleets small.
  #milliseconds: Map<DriverOperation, number> | undefined;

  constructor(initial: DelayTable = {}) {
    for (const [operation, milliseconds] of Object.entries(initial) as [DriverOperation, number][]) {
      this.set(operation, milliseconds);
    }
  }

  set(operation: DriverOperation, milliseconds: number): void {
    this.#milliseconds ??= new Map();
    this.#milliseconds.set(operation, milliseconds);
  }

  async wait(operation: DriverOperation, signal?: AbortSignal): Promise<void> {
    const milliseconds = this.#milliseconds?.get(operation) ?? 0;
    if (milliseconds <= 0 || signal?.aborted === true) return;
    try {
      await sleep(milliseconds, undefined, signal === undefined ? {} : { signal });
    } catch (error) {
      if (!(error instanceof Error && error.name === 'AbortError')) throw error;
    }
  }
}
