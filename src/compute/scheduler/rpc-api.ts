/**
 * The scheduler's RPC API as it travels on the bus: plain JSON shapes. A RequestSpec holds sets
 * (server group hosts and members), which JSON cannot carry, so specs cross as WireRequestSpec.
 */
import type { Aggregate, NodeReport, ServiceStatus } from './host-state.js';
import type { RequestSpec, ServerGroupSpec } from './request-spec.js';
import type { Resources } from './resources.js';
import type { Destination } from './select-destinations.js';

export const SCHEDULER_TOPIC = 'scheduler';
export const SCHEDULER_API_VERSION = '1.0';

export interface WireServerGroup extends Omit<ServerGroupSpec, 'hosts' | 'members'> {
  readonly hosts: readonly string[];
  readonly members: readonly string[];
}

export interface WireRequestSpec extends Omit<RequestSpec, 'serverGroup'> {
  readonly serverGroup?: WireServerGroup;
}

export function toWireSpec(spec: Readonly<RequestSpec>): WireRequestSpec {
  const { serverGroup, ...rest } = spec;
  if (!serverGroup) return rest;
  return { ...rest, serverGroup: { ...serverGroup, hosts: [...serverGroup.hosts], members: [...serverGroup.members] } };
}

export function fromWireSpec(spec: WireRequestSpec): RequestSpec {
  const { serverGroup, ...rest } = spec;
  if (!serverGroup) return rest;
  return { ...rest, serverGroup: { ...serverGroup, hosts: new Set(serverGroup.hosts), members: new Set(serverGroup.members) } };
}

/** One instance's placement, already claimed: the claim on `destination` is the commit point. */
export interface ClaimedSelection {
  readonly instanceUuid: string;
  readonly destination: Destination;
  /** Hosts to retry on if the build fails, in preference order; not claimed. */
  readonly alternates: readonly Destination[];
  readonly resources: Resources;
}

/**
 * NoValidHost is an answer, not a fault: it travels as data so the bus does not log a traceback
 * for every request that does not fit.
 */
export type SelectDestinationsResult = { readonly selections: readonly ClaimedSelection[] } | { readonly noValidHost: string };

export interface SelectDestinationsArgs {
  readonly spec: WireRequestSpec;
  /** A resize or cold migration: the destination claim is keyed by this migration (uuid). */
  readonly migrationId?: string;
}

/** A migration to a host the caller forces: claimed there without the filters (Nova's force=True). */
export interface ClaimOnHostArgs {
  readonly instanceUuid: string;
  readonly migrationId: string;
  readonly spec: WireRequestSpec;
  readonly host: string;
}

/** The claim on `host`, or why the host cannot take it. */
export type ClaimOnHostResult = { readonly selection: ClaimedSelection } | { readonly refused: string };



export interface ClaimAlternateArgs {
  readonly instanceUuid: string;
  readonly spec: WireRequestSpec;
  readonly alternates: readonly Destination[];
}

export interface ReleaseClaimArgs {
  readonly instanceUuid: string;
  /** Only the claim on this host; every claim of the instance when absent. */
  readonly host?: string;
  /** Only the claim keyed by this migration (uuid). */
  readonly migrationId?: string;
}

/** A confirmed resize: the instance's own claims go, its migration's claim becomes the instance's. */
export interface ConfirmMigrationClaimArgs {
  readonly instanceUuid: string;
  readonly migrationId: string;
}

export interface UpdateHostArgs {
  readonly report: NodeReport;
}

export interface UpdateServiceArgs {
  readonly host: string;
  readonly status: ServiceStatus;
}

export interface UpdateAggregateArgs {
  readonly aggregate: Aggregate;
}
