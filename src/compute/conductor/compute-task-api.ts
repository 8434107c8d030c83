import type { Flavor } from '../flavors/flavor.js';
import type { RequestSpec } from '../scheduler/request-spec.js';

/** One server of a build request, already written to the database by the API (vm_state building). */
export interface BuildRequest {
  readonly instanceUuid: string;
  /** Glance image id the server boots from. */
  readonly imageRef: string;
  readonly adminPassword?: string;
  /** Networks asked for (`auto`, `none`, or port/network ids); networking arrives with the network issue. */
  readonly requestedNetworks: 'auto' | 'none' | readonly { readonly uuid?: string; readonly port?: string; readonly fixedIp?: string }[];
}

/** A resize (new flavor) or cold migration (same flavor) of one server, already in task resize_prep. */
export interface ResizeRequest {
  readonly instanceUuid: string;
  /** The flavor to move to: the current one for a cold migration. */
  readonly flavor: Flavor;
  /** The flavor the server has now. */
  readonly oldFlavor: Flavor;
  /** active or stopped: what the server returns to (and whether the guest runs on the destination). */
  readonly oldVmState: 'active' | 'stopped';
  readonly cleanShutdown: boolean;
  /** Scheduling for the new flavor; `requestedDestination` for a 2.56 migrate with a host. */
  readonly spec: RequestSpec;
}

/** A live migration the API accepted: the instance is in task migrating, its migration `accepted`. */
export interface LiveMigrateRequest {
  readonly instanceUuid: string;
  readonly migrationId: number;
  /** The destination the caller named, or null for the scheduler's choice. */
  readonly host: string | null;
  /** Claim on `host` without the scheduler's filters (Nova's force, and any host before 2.30). */
  readonly force: boolean;
  /** Copy the disks too; null is Nova's "auto" (2.25): block migration unless storage is shared. */
  readonly blockMigration: boolean | null;
}

/** An evacuation the API accepted: the instance is in task rebuilding, its migration `accepted`. */
export interface EvacuateRequest {
  readonly instanceUuid: string;
  readonly migrationId: number;
  readonly host: string | null;
  readonly force: boolean;
  readonly adminPassword: string | null;
  /** Before 2.14 the caller says; from 2.14 null: the destination finds out (here: not shared). */
  readonly onSharedStorage: boolean | null;
}

/**
 * What the compute API asks of the conductor (Nova's ComputeTaskAPI, the `compute_task` RPC
 * namespace). Casts: the API returns 202 and never waits on scheduling or a hypervisor.
 */
export interface ComputeTaskApi {
  /** Schedules each server (select_destinations with alternates) and casts the build to its host; reschedules on failure, ERROR with a fault after the last attempt. */
  buildInstances(builds: readonly BuildRequest[], spec: RequestSpec): Promise<void>;
  /** A shelved server back to ACTIVE: powered on where it is, or (offloaded) scheduled with `spec` and spawned from its snapshot. */
  unshelveInstance(instanceUuid: string, spec: RequestSpec): Promise<void>;
  /** Nova's resize_instance (migrate_server): schedules the new flavor elsewhere and starts the move; NoValidHost puts the server back as it was, with a fault. */
  resizeInstance(request: ResizeRequest): Promise<void>;
  /**
   * Checks and claims the destination, then casts the live migration to the source host. `wait`
   * (before 2.34) makes it a call, so a refused destination comes back to the API as its 400.
   */
  liveMigrateInstance(request: LiveMigrateRequest, options: { readonly wait: boolean }): Promise<void>;
  /** Schedules and claims a destination for an instance whose host is down, and rebuilds it there. */
  evacuateInstance(request: EvacuateRequest): Promise<void>;
}
