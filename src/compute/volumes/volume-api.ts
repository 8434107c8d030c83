/** What compute needs of the volume service (Nova's nova/volume/cinder.py API), in Cinder's own field names. */
import type { RequestContext } from '../../common/context/request-context.js';

/** A volume as Cinder shows it (the fields compute reads). */
export interface CinderVolume {
  readonly id: string;
  readonly status: string;
  readonly size: number;
  readonly description: string | null;
  readonly availability_zone: string;
  readonly multiattach: boolean;
  readonly bootable: string;
  readonly attachments: readonly { readonly server_id: string | null; readonly attachment_id: string }[];
}

/** A volume snapshot as Cinder shows it (the fields compute reads). */
export interface CinderSnapshot {
  readonly id: string;
  readonly status: string;
  readonly size: number;
  readonly volume_id: string;
}

/** Cinder's connection_info: the transport and what the host needs to reach the volume. */
export type CinderConnectionInfo = Readonly<Record<string, unknown>>;

export interface CinderAttachment {
  readonly id: string;
  readonly status: string;
  readonly connection_info: CinderConnectionInfo;
}

/** What a host says of itself when it connects a volume (os-brick's connector properties). */
export interface HostConnector {
  readonly host: string;
  readonly ip: string;
  readonly initiator: string | null;
  readonly multipath: boolean;
  readonly platform: string;
  readonly os_type: string;
  readonly mountpoint?: string;
  readonly mode?: 'rw' | 'ro';
}

export interface NewVolume {
  readonly size: number;
  readonly name: string;
  readonly imageRef?: string;
  readonly snapshotId?: string;
  readonly availabilityZone?: string;
}

/** Every call goes as the request's caller (its token), or the service user for work no user asked for. */
export interface ComputeVolumeApi {
  get(context: RequestContext, volumeId: string): Promise<CinderVolume>;
  getSnapshot(context: RequestContext, snapshotId: string): Promise<CinderSnapshot>;
  /** Reserves the volume for the instance (attachment_create without a connector). */
  attachmentCreate(context: RequestContext, volumeId: string, instanceUuid: string): Promise<CinderAttachment>;
  /** Connects the host: the answer carries the connection. */
  attachmentUpdate(context: RequestContext, attachmentId: string, connector: HostConnector): Promise<CinderAttachment>;
  /** The volume is in use (3.44). */
  attachmentComplete(context: RequestContext, attachmentId: string): Promise<void>;
  /** Lets the volume go; one already gone is not an error. */
  attachmentDelete(context: RequestContext, attachmentId: string): Promise<void>;
  beginDetaching(context: RequestContext, volumeId: string): Promise<void>;
  rollDetaching(context: RequestContext, volumeId: string): Promise<void>;
  create(context: RequestContext, volume: NewVolume): Promise<CinderVolume>;
  /** Snapshots the volume, in use or not (Nova's create_snapshot_force). */
  createSnapshotForce(context: RequestContext, volumeId: string, name: string, description: string | null): Promise<CinderSnapshot>;
  /** os-reimage (3.68) of a volume reserved for the instance's rebuild; Cinder tells the instance `volume-reimaged`. */
  reimage(context: RequestContext, volumeId: string, imageId: string): Promise<void>;
  /** Deletes the volume; one already gone is not an error. */
  delete(context: RequestContext, volumeId: string): Promise<void>;
}
