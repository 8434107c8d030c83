/**
 * A ComputeDriver decorator that applies a host's fault injections before each call, so slow and
 * fail injections work on every driver: a slow call waits first, a failing one throws the
 * driver's DriverOperationFailed before the real call, and the agent's usual failure path runs.
 */
import type { ComputeDriver, DriverOperation } from '../virt/driver.js';
import { DRIVER_OPERATIONS } from './fault-injection.js';
import type { HostFaults } from './host-faults.js';

/** The guest a driver call is about: its first argument with a uuid (an InstanceRef or InstanceSpec). */
function instanceOf(args: readonly unknown[]): string | undefined {
  for (const arg of args) {
    if (typeof arg === 'object' && arg !== null && 'uuid' in arg && typeof arg.uuid === 'string') return arg.uuid;
  }
  return undefined;
}

export function withFaultInjection(driver: ComputeDriver, faults: HostFaults): ComputeDriver {
  const methods: Partial<Record<DriverOperation, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const operation of DRIVER_OPERATIONS) {
    methods[operation] = async (...args: unknown[]) => {
      await faults.beforeDriverCall(operation, instanceOf(args));
      return (driver[operation] as (...args: unknown[]) => Promise<unknown>).apply(driver, args);
    };
  }
  return Object.defineProperties(methods, {
    type: { get: () => driver.type, enumerable: true },
    host: { get: () => driver.host, enumerable: true },
    capabilities: { get: () => driver.capabilities, enumerable: true },
  }) as unknown as ComputeDriver;
}
