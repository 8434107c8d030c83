/** Cinder's volume attachments as the volume service handles them (the store maps rows to these). */

/** Cinder's VolumeAttachStatus values an attachment passes through. */
export const ATTACHMENT_STATUSES = ['reserved', 'attaching', 'attached', 'detaching', 'error_attaching', 'error_detaching'] as const;
export type AttachmentStatus = (typeof ATTACHMENT_STATUSES)[number];

/** `null` is Cinder's attach_mode before 3.54 let callers choose. */
export type AttachMode = 'rw' | 'ro' | 'null';

/** What a host says of itself when it connects (os-brick's connector): `host` names it, the rest is free-form. */
export interface VolumeConnector {
  readonly host?: string;
  readonly ip?: string;
  readonly initiator?: string | null;
  readonly mountpoint?: string;
  readonly mode?: string;
  readonly [key: string]: unknown;
}

/** Cinder's connection_info as the API returns it: the transport, and what the host needs to reach the volume. */
export interface ConnectionInfo {
  readonly driver_volume_type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export interface VolumeAttachmentRecord {
  readonly id: string;
  readonly volumeId: string;
  readonly projectId: string;
  readonly instanceUuid: string | null;
  readonly attachedHost: string | null;
  readonly mountpoint: string | null;
  readonly status: AttachmentStatus;
  readonly attachMode: AttachMode;
  readonly connector: VolumeConnector | null;
  readonly connectionInfo: ConnectionInfo | null;
  readonly attachTime: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date | null;
}
