/**
 * The verbs a compute agent answers on `compute.<host>`: a closed set, each with its argument
 * and result types. The RPC client sends only these and the manager implements all of them.
 */
import type { BuildRequest } from '../conductor/compute-task-api.js';
import type { AgentInstance } from '../conductor/wire.js';
import type { WireRequestSpec } from '../scheduler-service/wire.js';
import type { Destination } from '../scheduler/select-destinations.js';
import type { LiveMigrationTarget } from '../virt/driver.js';

export const COMPUTE_TOPIC = 'compute';
export const COMPUTE_API_VERSION = '1.0';

export interface BuildAndRunInstanceArgs {
  readonly instance: AgentInstance;
  readonly build: BuildRequest;
  readonly node: string;
  /** The spec of this attempt (its `retry` says which hosts failed already). */
  readonly spec: WireRequestSpec;
  /** Claimed nowhere yet: where the conductor retries if this build fails. */
  readonly alternates: readonly Destination[];
}

export interface InstanceArgs {
  readonly instanceUuid: string;
}

export interface StopInstanceArgs extends InstanceArgs {
  readonly clean: boolean;
}

export interface RebootInstanceArgs extends InstanceArgs {
  readonly rebootType: 'SOFT' | 'HARD';
}

export interface ConsoleOutputArgs extends InstanceArgs {
  readonly length?: number;
}

/** The migration record a move belongs to, as agents report on it. */
export interface MigrationHandle {
  readonly id: number;
  readonly uuid: string;
}

/** To the source: move the guest live to the destination the conductor claimed. */
export interface LiveMigrationArgs extends InstanceArgs {
  readonly migration: MigrationHandle;
  readonly destHost: string;
  readonly destNode: string;
  readonly blockMigration: boolean;
}

/** To the destination: prepare for the guest coming from `sourceHost`. */
export interface PreLiveMigrationArgs extends InstanceArgs {
  readonly sourceHost: string;
  readonly blockMigration: boolean;
}

/** To the destination after a failed or aborted live migration: undo the preparation. */
export interface RollbackLiveMigrationArgs extends InstanceArgs {
  readonly blockMigration: boolean;
}

/** To the source: abort or force-complete the live migration in progress. */
export interface LiveMigrationControlArgs extends InstanceArgs {
  readonly migrationId: number;
}

/** To an evacuation's destination: rebuild the guest of a down host here (Nova's rebuild_instance, recreate=True). */
export interface EvacuateInstanceArgs extends InstanceArgs {
  readonly migration: MigrationHandle;
  readonly node: string;
  readonly adminPassword: string | null;
  /** The disks are on storage this host shares with the source: boot from them. */
  readonly onSharedStorage: boolean;
}

/**
 * Every verb with its arguments, its result and how it travels: a `cast` (one-way; the agent
 * reports the outcome through the conductor) or a `call` (the caller waits for the result).
 */
export interface AgentVerbs {
  build_and_run_instance: { kind: 'cast'; args: BuildAndRunInstanceArgs; result: void };
  start_instance: { kind: 'cast'; args: InstanceArgs; result: void };
  stop_instance: { kind: 'cast'; args: StopInstanceArgs; result: void };
  reboot_instance: { kind: 'cast'; args: RebootInstanceArgs; result: void };
  terminate_instance: { kind: 'cast'; args: InstanceArgs; result: void };
  get_console_output: { kind: 'call'; args: ConsoleOutputArgs; result: string };
  live_migration: { kind: 'cast'; args: LiveMigrationArgs; result: void };
  pre_live_migration: { kind: 'call'; args: PreLiveMigrationArgs; result: LiveMigrationTarget };
  /** Answers the guest's power state on the destination. */
  post_live_migration_at_destination: { kind: 'call'; args: InstanceArgs; result: number };
  rollback_live_migration_at_destination: { kind: 'call'; args: RollbackLiveMigrationArgs; result: void };
  live_migration_abort: { kind: 'cast'; args: LiveMigrationControlArgs; result: void };
  live_migration_force_complete: { kind: 'cast'; args: LiveMigrationControlArgs; result: void };
  evacuate_instance: { kind: 'cast'; args: EvacuateInstanceArgs; result: void };
}

export type AgentVerb = keyof AgentVerbs;
export type AgentCastVerb = { [V in AgentVerb]: AgentVerbs[V]['kind'] extends 'cast' ? V : never }[AgentVerb];
export type AgentCallVerb = { [V in AgentVerb]: AgentVerbs[V]['kind'] extends 'call' ? V : never }[AgentVerb];

/** One handler per verb; the compiler rejects a missing or extra one. */
export type AgentHandlers = { readonly [V in AgentVerb]: (args: AgentVerbs[V]['args']) => Promise<AgentVerbs[V]['result']> };
