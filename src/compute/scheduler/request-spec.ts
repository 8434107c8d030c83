/**
 * What one scheduling request asks for: Nova's RequestSpec, reduced to the fields the filters and
 * weighers read. Built by the conductor; never mutated by the scheduler (a multi-instance
 * request derives a new spec per instance instead).
 */
import type { FlavorSpec } from '../virt/instance-spec.js';

/** The flavor's sizes and extra specs (its id and name do not matter to placement). */
export type FlavorResources = Omit<FlavorSpec, 'id' | 'name'>;

export interface ImageSpec {
  readonly id?: string;
  /**
   * Glance properties. The filters read Nova's object names (`hw_architecture`, `img_hv_type`,
   * `hw_vm_mode`, `img_hv_requested_version`) and fall back to Glance's legacy names
   * (`architecture`, `hypervisor_type`, `vm_mode`), as Nova's ImageMetaProps does.
   */
  readonly properties: Readonly<Record<string, string>>;
}

export type ServerGroupPolicy = 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity';

export interface ServerGroupSpec {
  readonly uuid: string;
  readonly policy: ServerGroupPolicy;
  /** Only meaningful for anti-affinity (microversion 2.64); Nova's default is 1. */
  readonly rules: { readonly maxServerPerHost?: number };
  /** Hosts the group's members already run on. */
  readonly hosts: ReadonlySet<string>;
  /** Instance uuids of the group's members. */
  readonly members: ReadonlySet<string>;
}

export interface SchedulerHints {
  /** Instance uuids the new server must share a host with. */
  readonly sameHost?: readonly string[];
  /** Instance uuids the new server must not share a host with. */
  readonly differentHost?: readonly string[];
}

export interface RetrySpec {
  readonly numAttempts: number;
  /** Host names already tried for this instance (a build failed there). */
  readonly hosts: readonly string[];
}

/** A destination the caller insists on (live migration, evacuate, 2.74 boot with host/node). */
export interface RequestedDestination {
  readonly host: string;
  readonly node?: string;
}

export interface RequestSpec {
  /** The instance this spec is for; set per instance when num_instances > 1. */
  readonly instanceUuid?: string;
  /** One uuid per instance of a multi-create request, in order. */
  readonly instanceUuids: readonly string[];
  readonly numInstances: number;
  readonly projectId?: string;
  readonly flavor: FlavorResources;
  readonly image: ImageSpec;
  /** Boot from volume: the root disk lives in Cinder, so root_gb takes no local disk. */
  readonly isBootFromVolume?: boolean;
  readonly availabilityZone?: string;
  readonly schedulerHints: SchedulerHints;
  readonly serverGroup?: ServerGroupSpec;
  readonly retry?: RetrySpec;
  readonly requestedDestination?: RequestedDestination;
  /**
   * Nova's force_hosts / force_nodes (an admin's `--availability-zone zone:host:node`): only these
   * hosts (names compared without case) or nodes are candidates, and no filter runs on them.
   */
  readonly forceHosts?: readonly string[];
  readonly forceNodes?: readonly string[];
  /** Hosts not to consider at all (Nova's ignore_hosts: a resize's source unless allow_resize_to_same_host). */
  readonly ignoreHosts?: readonly string[];
}

/** The spec of one existing instance (a move, an unshelve): callers add zone, group, retry or destination. */
export function singleInstanceSpec(instanceUuid: string, projectId: string, flavor: FlavorResources, image: ImageSpec): RequestSpec {
  return { instanceUuid, instanceUuids: [instanceUuid], numInstances: 1, projectId, flavor, image, schedulerHints: {} };
}

/** Local disk one instance of `flavor` needs, in MB (Nova: 1024 × (root + ephemeral) + swap). */
export function requestedDiskMb(spec: Readonly<RequestSpec>): number {
  const rootGb = spec.isBootFromVolume ? 0 : spec.flavor.rootGb;
  return 1024 * (rootGb + spec.flavor.ephemeralGb) + spec.flavor.swapMb;
}
