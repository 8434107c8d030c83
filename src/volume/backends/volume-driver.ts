/**
 * The seam between the volume manager and a storage backend (Cinder's VolumeDriver). Each method
 * states the state after it; a create that fails leaves nothing behind (no file, no LV), so the
 * manager only has to put the volume in `error`. Implementations: `file/` (sparse raw files);
 * every one runs the contract suite in `volume-driver.contract.ts` from its own test file.
 */

/** What a backend can do, read above the driver instead of methods that throw. */
export interface VolumeDriverCapabilities {
  /** Cinder's `volume_backend_name`: a volume type's extra spec of that name picks the backend. */
  readonly volumeBackendName: string;
  readonly vendorName: string;
  readonly driverVersion: string;
  /** How hosts reach the volumes: `file` is a local path on this host. */
  readonly storageProtocol: 'file';
  /** Space is taken as data is written, not at create. */
  readonly thinProvisioning: boolean;
  /** Snapshots and clones share unchanged blocks with their source (reflinks, LVM thin snapshots). */
  readonly snapshotCopyOnWrite: boolean;
  /** A volume in use by a guest can grow. */
  readonly onlineExtend: boolean;
  readonly multiattach: boolean;
}

/** Capacity as Cinder's drivers report it to the scheduler (GiB). */
export interface BackendCapacity {
  readonly totalCapacityGb: number;
  readonly freeCapacityGb: number;
  /** The sum of the sizes of the volumes and snapshots on the backend. */
  readonly provisionedCapacityGb: number;
}

/** A volume as a driver sees it. */
export interface VolumeRef {
  readonly id: string;
  /** GiB. */
  readonly sizeGb: number;
}

export interface SnapshotRef {
  readonly id: string;
  readonly volumeId: string;
  readonly sizeGb: number;
}

/** Image data staged on this host for `copyImageToVolume`. */
export interface StagedImage {
  readonly path: string;
  /** Glance's disk_format; the driver converts it to the volume's own format. */
  readonly diskFormat: string;
}

/** A volume's or snapshot's bytes opened on this host (the backup service reads and writes through it). */
export interface LocalDevice {
  /** A file or block device of the volume's size. */
  readonly path: string;
  /** Closes what opening it took (an activated LV); the path is not used afterwards. */
  release(): Promise<void>;
}

/** How a host reaches a volume (the compute side's VolumeConnection). */
export type VolumeConnectionInfo = { readonly driverVolumeType: 'file'; readonly path: string };

export interface VolumeDriver {
  readonly capabilities: VolumeDriverCapabilities;
  /** Prepares the backend (directories, probes); throws when it cannot serve. */
  setUp(): Promise<void>;
  getCapacity(): Promise<BackendCapacity>;
  /** A blank volume of `sizeGb`, reading zeros. Counter-action: deleteVolume. */
  createVolume(volume: VolumeRef): Promise<void>;
  /** A volume holding the snapshot's data, grown to the volume's size. */
  createVolumeFromSnapshot(volume: VolumeRef, snapshot: SnapshotRef): Promise<void>;
  /** A volume holding the source volume's data, grown to the volume's size. */
  createClonedVolume(volume: VolumeRef, source: VolumeRef): Promise<void>;
  /** A volume holding the image's data converted to the backend's format; bigger than the volume's size is an error. */
  createVolumeFromImage(volume: VolumeRef, image: StagedImage): Promise<void>;
  /**
   * Rewrites an existing volume with the image's data (Cinder's reimage), its size unchanged; on
   * failure the volume keeps its old data. Its snapshots keep theirs.
   */
  reimageVolume(volume: VolumeRef, image: StagedImage): Promise<void>;
  /** Grows the volume to `newSizeGb`; its data stays. */
  extendVolume(volume: VolumeRef, newSizeGb: number): Promise<void>;
  /** Removes the volume; a volume already gone is not an error. */
  deleteVolume(volume: VolumeRef): Promise<void>;
  /** A point-in-time copy of the volume's data. Counter-action: deleteSnapshot. */
  createSnapshot(snapshot: SnapshotRef): Promise<void>;
  /** Removes the snapshot; one already gone is not an error. */
  deleteSnapshot(snapshot: SnapshotRef): Promise<void>;
  /** Opens the volume's bytes for reading and writing on this host. Counter-action: the device's release(). */
  openVolumeDevice(volume: VolumeRef): Promise<LocalDevice>;
  /** Opens the snapshot's bytes for reading on this host (a backup of a snapshot). */
  openSnapshotDevice(snapshot: SnapshotRef): Promise<LocalDevice>;
  /** Where a host on this machine finds the volume (attach comes with issue 15's compute part). */
  connectionInfo(volume: VolumeRef): VolumeConnectionInfo;
}

export const GIB = 1024 ** 3;

/** Raised by a driver for a problem with the request rather than the backend (an image bigger than the volume). */
export class VolumeDriverError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VolumeDriverError';
  }
}
