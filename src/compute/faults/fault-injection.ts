/**
 * Failure injection for testers (a Nimbus extension, `/v2.1/nimbus/faults`): what an injection
 * is, as the API stores it and as it travels to the compute agent of its host.
 */
import type { DriverOperation } from '../virt/driver.js';

/**
 * slow: driver calls wait `delayMs` first. fail: a driver call throws the driver's
 * DriverOperationFailed before it runs. drop_heartbeat: the agent sends no service reports.
 * pause_bus: the agent takes no message off the bus (they wait on the broker, none is lost).
 */
export const FAULT_KINDS = ['slow', 'fail', 'drop_heartbeat', 'pause_bus'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Kinds that act on driver calls (and so take an operation, an instance and a count). */
export const DRIVER_FAULT_KINDS: readonly FaultKind[] = ['slow', 'fail'];

/** Why an injection stopped acting. */
export type FaultEndReason = 'used' | 'expired' | 'cleared';

/** One injection, as the API answers it and the agent receives it. */
export interface FaultInjection {
  readonly id: string;
  readonly host: string;
  readonly kind: FaultKind;
  /** The driver step (snake_case, `spawn`, `live_migration`, `pre_live_migration`); null: every step (slow only). */
  readonly operation: string | null;
  /** Only calls about this instance; null: any. */
  readonly instanceUuid: string | null;
  /** slow: how long each matching call waits first. */
  readonly delayMs: number | null;
  /** Matching calls still to act on; null: no limit (until `expiresAt`). */
  readonly remaining: number | null;
  /** When it stops by itself; null: when the count is used up. */
  readonly expiresAt: string | null;
  readonly createdAt: string;
  /** The request that made it. */
  readonly requestId: string | null;
}

/** Every driver method (the steps of every operation), by the compiler's list in `driver.ts`. */
const DRIVER_OPERATION_TABLE: { readonly [K in DriverOperation]: true } = {
  initHost: true, listInstances: true, instanceStorageId: true, instanceOnDisk: true, getInfo: true, getConsoleOutput: true,
  getVncConsole: true, getDiagnostics: true, getAvailableResource: true, cacheImage: true, spawn: true, destroy: true,
  powerOff: true, powerOn: true, reboot: true, pause: true, unpause: true, suspend: true, resume: true, rescue: true,
  unrescue: true, snapshot: true, migrateDiskAndPowerOff: true, finishMigration: true, confirmMigration: true,
  finishRevertMigration: true, preLiveMigration: true, liveMigrationBlocker: true, liveMigration: true,
  liveMigrationAbort: true, liveMigrationForceComplete: true, postLiveMigrationAtDestination: true,
  postLiveMigrationAtSource: true, rollbackLiveMigrationAtDestination: true, attachVolume: true, detachVolume: true,
  extendVolume: true, attachInterface: true, detachInterface: true, plugVifs: true, unplugVifs: true,
};

export const DRIVER_OPERATIONS = Object.keys(DRIVER_OPERATION_TABLE) as DriverOperation[];

/** `liveMigration` → `live_migration`: how the API and the logs name a driver step. */
export function stepName(operation: DriverOperation): string {
  return operation.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

const BY_STEP_NAME: ReadonlyMap<string, DriverOperation> = new Map(DRIVER_OPERATIONS.map((operation) => [stepName(operation), operation]));

/** Every step name the API accepts, sorted. */
export const STEP_NAMES: readonly string[] = [...BY_STEP_NAME.keys()].sort();

/** The driver method of a step name (`live_migration` or `liveMigration`); undefined for none. */
export function driverOperationOf(name: string): DriverOperation | undefined {
  return BY_STEP_NAME.get(name) ?? BY_STEP_NAME.get(name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`));
}

/** One line naming the injection, for logs and the CLI. */
export function describeFault(fault: FaultInjection): string {
  const parts = [`${fault.kind} on ${fault.host}`];
  if (fault.operation !== null) parts.push(`operation ${fault.operation}`);
  if (fault.instanceUuid !== null) parts.push(`instance ${fault.instanceUuid}`);
  if (fault.delayMs !== null) parts.push(`delay ${fault.delayMs} ms`);
  if (fault.remaining !== null) parts.push(`${fault.remaining} left`);
  if (fault.expiresAt !== null) parts.push(`until ${fault.expiresAt}`);
  return `fault injection ${fault.id} (${parts.join(', ')})`;
}
