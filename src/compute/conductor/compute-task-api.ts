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

/**
 * What the compute API asks of the conductor (Nova's ComputeTaskAPI, the `compute_task` RPC
 * namespace). Casts: the API returns 202 and never waits on scheduling or a hypervisor.
 */
export interface ComputeTaskApi {
  /** Schedules each server (select_destinations with alternates) and casts the build to its host; reschedules on failure, ERROR with a fault after the last attempt. */
  buildInstances(builds: readonly BuildRequest[], spec: RequestSpec): Promise<void>;
  /** A shelved server back to ACTIVE: powered on where it is, or (offloaded) scheduled with `spec` and spawned from its snapshot. */
  unshelveInstance(instanceUuid: string, spec: RequestSpec): Promise<void>;
}
