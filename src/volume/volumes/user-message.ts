/**
 * Cinder's user messages (cinder/message/message_field.py): a resource, an action and a detail,
 * each with Cinder's id, make the event `VOLUME_<resource>_<action>_<detail>` and the text
 * `<action>:<detail>` a user reads. Only the ids are stored; the words come from these tables.
 */
export type MessageResourceType = 'VOLUME' | 'VOLUME_SNAPSHOT' | 'VOLUME_BACKUP';

export const MESSAGE_ACTIONS = {
  SCHEDULE_ALLOCATE_VOLUME: ['001', 'schedule allocate volume'],
  ATTACH_VOLUME: ['002', 'attach volume'],
  COPY_VOLUME_TO_IMAGE: ['003', 'copy volume to image'],
  UPDATE_ATTACHMENT: ['004', 'update attachment'],
  COPY_IMAGE_TO_VOLUME: ['005', 'copy image to volume'],
  EXTEND_VOLUME: ['007', 'extend volume'],
  CREATE_VOLUME_FROM_BACKEND: ['008', 'create volume from backend storage'],
  SNAPSHOT_CREATE: ['009', 'create snapshot'],
  BACKUP_CREATE: ['013', 'create backup'],
  BACKUP_RESTORE: ['015', 'restore backup'],
  REIMAGE_VOLUME: ['016', 'reimage volume'],
} as const satisfies Record<string, readonly [string, string]>;

export const MESSAGE_DETAILS = {
  UNKNOWN_ERROR: ['001', 'An unknown error occurred.'],
  NO_BACKEND_AVAILABLE: ['003', 'Could not find any available weighted backend.'],
  FAILED_TO_UPLOAD_VOLUME: ['004', 'Failed to upload volume to image at backend.'],
  NOTIFY_COMPUTE_SERVICE_FAILED: ['009', 'Compute service failed to extend volume.'],
  DRIVER_FAILED_EXTEND: ['010', 'Volume Driver failed to extend volume.'],
  DRIVER_FAILED_CREATE: ['012', 'Driver failed to create the volume.'],
  SNAPSHOT_CREATE_ERROR: ['013', 'Snapshot failed to create.'],
  BACKUP_CREATE_DRIVER_ERROR: ['020', 'Backup driver failed to create backup.'],
  ATTACH_ERROR: ['021', 'Failed to attach volume.'],
  BACKUP_RESTORE_ERROR: ['026', 'Backup driver failed to restore backup.'],
  REIMAGE_VOLUME_FAILED: ['028', 'Compute service failed to reimage volume.'],
} as const satisfies Record<string, readonly [string, string]>;

export type MessageAction = keyof typeof MESSAGE_ACTIONS;
export type MessageDetail = keyof typeof MESSAGE_DETAILS;

/** What went wrong, before it is said of a resource. */
export interface MessageKind {
  readonly action: MessageAction;
  readonly detail: MessageDetail;
}

/** What happened to which resource, as a worker or the API reports it. */
export interface MessageEvent extends MessageKind {
  readonly resourceType: MessageResourceType;
  readonly resourceUuid: string;
}

export interface UserMessage {
  readonly id: string;
  readonly projectId: string | null;
  readonly requestId: string | null;
  readonly resourceType: string | null;
  readonly resourceUuid: string | null;
  readonly eventId: string;
  readonly actionId: string;
  readonly detailId: string;
  readonly level: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}


/** Cinder's `<action>:<detail>`, with its words for ids it does not know. */
export function userMessageText(message: Pick<UserMessage, 'actionId' | 'detailId'>): string {
  const action = Object.values(MESSAGE_ACTIONS).find(([id]) => id === message.actionId)?.[1] ?? 'unknown action';
  const detail = Object.values(MESSAGE_DETAILS).find(([id]) => id === message.detailId)?.[1] ?? MESSAGE_DETAILS.UNKNOWN_ERROR[1];
  return `${action}:${detail}`;
}

/** The stored message of `event`, made under the request's project and id and kept `ttlSeconds` at least (Cinder's message_api.create). */
export function messageOfEvent(event: MessageEvent, context: { readonly projectId?: string | undefined; readonly requestId?: string | undefined }, id: string, now: Date, ttlSeconds: number): UserMessage {
  const [actionId] = MESSAGE_ACTIONS[event.action];
  const [detailId] = MESSAGE_DETAILS[event.detail];
  return {
    id,
    projectId: context.projectId ?? null,
    requestId: context.requestId ?? null,
    resourceType: event.resourceType,
    resourceUuid: event.resourceUuid,
    eventId: `VOLUME_${event.resourceType}_${actionId}_${detailId}`,
    actionId,
    detailId,
    level: 'ERROR',
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
  };
}
