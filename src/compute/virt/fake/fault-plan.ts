import type { DriverOperation } from '../driver.js';
import { DriverOperationFailed } from '../errors.js';

export interface FaultOptions {
  /** Only calls about this guest fail; others pass. */
  readonly instanceUuid?: string;
  readonly message?: string;
}

interface FaultRule {
  readonly operation: DriverOperation;
  readonly instanceUuid: string | undefined;
  readonly message: string;
  /** Calls still to fail; Infinity for every call. */
  remaining: number;
}

/**
 * Failures to inject into a fake host, by driver method and optionally by guest: "fail the next
 * spawn", "fail every liveMigration of this instance". A failing call throws
 * DriverOperationFailed before it changes anything, as a hypervisor error that was cleaned up.
 */
export class FaultPlan {
  readonly #rules: FaultRule[] = [];

  /** The next `times` matching calls fail (default one). */
  failNext(operation: DriverOperation, options: FaultOptions & { readonly times?: number } = {}): this {
    return this.#add(operation, options, options.times ?? 1);
  }

  /** Every matching call fails until `clear()`. */
  failEvery(operation: DriverOperation, options: FaultOptions = {}): this {
    return this.#add(operation, options, Number.POSITIVE_INFINITY);
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** Throws if a rule matches this call, using up one of a counted rule's failures. */
  check(operation: DriverOperation, instanceUuid: string | undefined): void {
    const index = this.#rules.findIndex(
      (rule) => rule.operation === operation && (rule.instanceUuid === undefined || rule.instanceUuid === instanceUuid),
    );
    const rule = this.#rules[index];
    if (rule === undefined) return;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#rules.splice(index, 1);
    throw new DriverOperationFailed(operation, rule.message, instanceUuid === undefined ? {} : { instanceUuid });
  }

  #add(operation: DriverOperation, options: FaultOptions, times: number): this {
    this.#rules.push({
      operation,
      instanceUuid: options.instanceUuid,
      message: options.message ?? 'injected fault',
      remaining: times,
    });
    return this;
  }
}
