import type { FlavorResources } from '../scheduler/request-spec.js';

/** A flavor as the compute service knows it (Nova's Flavor object, without the internal id). */
export interface Flavor {
  /** The public id: `1`, `m1.tiny-id` or a generated uuid. */
  readonly flavorid: string;
  readonly name: string;
  readonly vcpus: number;
  readonly memory_mb: number;
  readonly root_gb: number;
  readonly ephemeral_gb: number;
  /** Swap in MB; 0 when none. */
  readonly swap: number;
  readonly rxtx_factor: number;
  readonly is_public: boolean;
  readonly disabled: boolean;
  readonly description: string | null;
  readonly extra_specs: Readonly<Record<string, string>>;
}

/** The flavor's sizes and extra specs in the scheduler's terms. */
export function flavorResources(flavor: Flavor): FlavorResources {
  return { vcpus: flavor.vcpus, memoryMb: flavor.memory_mb, rootGb: flavor.root_gb, ephemeralGb: flavor.ephemeral_gb, swapMb: flavor.swap, extraSpecs: flavor.extra_specs };
}

/** What POST /flavors gives, already typed (ints may arrive as strings; Nova accepts both). */
export interface FlavorCreate {
  readonly name: string;
  readonly flavorid?: string | number | null;
  readonly memory_mb: number | string;
  readonly vcpus: number | string;
  readonly root_gb: number | string;
  readonly ephemeral_gb?: number | string;
  readonly swap?: number | string;
  readonly rxtx_factor?: number | string;
  readonly is_public?: boolean;
  readonly description?: string | null;
}

/** Who is looking: non-admins see public flavors and private ones shared with their project. */
export interface FlavorViewer {
  readonly projectId?: string;
  readonly isAdmin: boolean;
}

export const FLAVOR_SORT_KEYS = [
  'created_at',
  'description',
  'disabled',
  'ephemeral_gb',
  'flavorid',
  'id',
  'is_public',
  'memory_mb',
  'name',
  'root_gb',
  'rxtx_factor',
  'swap',
  'updated_at',
  'vcpu_weight',
  'vcpus',
] as const;
export type FlavorSortKey = (typeof FLAVOR_SORT_KEYS)[number];

export interface FlavorListQuery {
  /** true: public (plus those shared with the viewer's project); false: private only; null: all. */
  readonly isPublic: boolean | null;
  /** Hide disabled flavors (always, for non-admins). */
  readonly hideDisabled: boolean;
  readonly minMemoryMb?: number;
  readonly minRootGb?: number;
  readonly sortKey: FlavorSortKey;
  readonly sortDir: 'asc' | 'desc';
  readonly limit: number;
  readonly marker?: string;
}

/** Nova's `[api] max_limit`: the most items one page of a list returns. */
export const MAX_LIMIT = 1000;
