/**
 * The volume service's RPC API (cinder-volume's VolumeAPI): topic `cinder-volume`, one server per
 * backend named `host@backend`. Every verb is a cast; the outcome comes back through the
 * scheduler's status verbs (scheduler/rpc-api.ts).
 */
import type { SnapshotRef, VolumeRef } from '../backends/volume-driver.js';

export const VOLUME_TOPIC = 'cinder-volume';
export const VOLUME_API_VERSION = '1.0';

/** What a new volume is made from. */
export type VolumeSource =
  | { readonly kind: 'blank' }
  | { readonly kind: 'snapshot'; readonly snapshot: SnapshotRef }
  | { readonly kind: 'volume'; readonly volume: VolumeRef }
  | { readonly kind: 'image'; readonly imageId: string; readonly diskFormat: string };

export interface CreateVolumeArgs {
  readonly volume: VolumeRef;
  readonly source: VolumeSource;
}

export interface VolumeArgs {
  readonly volume: VolumeRef;
}

export interface ExtendVolumeArgs {
  readonly volume: VolumeRef;
  readonly newSizeGb: number;
}

export interface SnapshotArgs {
  readonly snapshot: SnapshotRef;
}

/** The closed table of verbs, by wire name. */
export interface VolumeManagerVerbs {
  create_volume: CreateVolumeArgs;
  delete_volume: VolumeArgs;
  extend_volume: ExtendVolumeArgs;
  create_snapshot: SnapshotArgs;
  delete_snapshot: SnapshotArgs;
  /** Fanout from a starting scheduler: report capabilities now. */
  publish_service_capabilities: Record<string, never>;
}
