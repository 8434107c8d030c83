/**
 * The volume service's RPC API (cinder-volume's VolumeAPI): topic `cinder-volume`, one server per
 * backend named `host@backend`. Work on volumes is cast; the outcome comes back through the
 * scheduler's status verbs (scheduler/rpc-api.ts). Connecting a host is a call: the API answers
 * with the connection the backend returns.
 */
import type { SnapshotRef, VolumeRef } from '../backends/volume-driver.js';
import type { ConnectionInfo, VolumeConnector } from '../volumes/attachment.js';
import type { VolumeStatus } from '../volumes/volume.js';

export const VOLUME_TOPIC = 'cinder-volume';
export const VOLUME_API_VERSION = '1.1';

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

/** Cinder's delete_volume with cascade: the volume's snapshots (marked deleting) go first. */
export interface DeleteVolumeArgs extends VolumeArgs {
  readonly snapshots?: readonly SnapshotRef[];
}

export interface ExtendVolumeArgs {
  readonly volume: VolumeRef;
  readonly newSizeGb: number;
  /** The instances holding the volume: it goes back to in-use, and compute is told. */
  readonly instanceUuids?: readonly string[];
}

/** Cinder's reimage: the volume rewritten from an image, then back to its previous status. */
export interface ReimageVolumeArgs {
  readonly volume: VolumeRef;
  readonly imageId: string;
  readonly diskFormat: string;
  /** The volume's image metadata once it holds the image. */
  readonly imageMetadata: Readonly<Record<string, string>>;
  /** The status before `downloading`, restored on success. */
  readonly previousStatus: VolumeStatus;
  /** A reserved volume's instance(s), told `volume-reimaged` once done (Nova waits for it). */
  readonly instanceUuids: readonly string[];
}

/** Cinder's upload disk formats (os-volume_upload_image's schema). */
export const UPLOAD_DISK_FORMATS = ['raw', 'vmdk', 'vdi', 'qcow2', 'vhd', 'vhdx', 'ploop'] as const;
export type UploadDiskFormat = (typeof UPLOAD_DISK_FORMATS)[number];

/** Cinder's copy_volume_to_image: the volume's data, in the image's disk format, into a queued image. */
export interface CopyVolumeToImageArgs {
  readonly volume: VolumeRef;
  readonly image: { readonly id: string; readonly diskFormat: UploadDiskFormat };
  /** The status before `uploading`, restored after (in-use: a guest may be writing, read without its lock). */
  readonly previousStatus: VolumeStatus;
}

export interface SnapshotArgs {
  readonly snapshot: SnapshotRef;
}

/** The closed table of verbs, by wire name. */
export interface VolumeManagerVerbs {
  create_volume: CreateVolumeArgs;
  delete_volume: DeleteVolumeArgs;
  extend_volume: ExtendVolumeArgs;
  reimage_volume: ReimageVolumeArgs;
  copy_volume_to_image: CopyVolumeToImageArgs;
  create_snapshot: SnapshotArgs;
  delete_snapshot: SnapshotArgs;
  /** Fanout from a starting scheduler: report capabilities now. */
  publish_service_capabilities: Record<string, never>;
}

export interface ConnectionArgs {
  readonly volume: VolumeRef;
  readonly connector: VolumeConnector;
}

/** The verbs the caller waits on (1.1), with their results. */
export interface VolumeManagerCalls {
  /** Exports the volume to the connector's host: Cinder's initialize_connection. */
  initialize_connection: { readonly args: ConnectionArgs; readonly result: ConnectionInfo };
  /** Ends that export: Cinder's terminate_connection. */
  terminate_connection: { readonly args: ConnectionArgs; readonly result: null };
}
