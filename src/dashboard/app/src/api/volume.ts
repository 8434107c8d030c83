import { call } from './cloud.js';
import type { Session } from './session.js';

/** Cinder's block-storage API as the catalog lists it (the URL carries the project id). */
export const VOLUME_SERVICE = 'volumev3';

export interface Volume {
  readonly id: string;
  readonly name: string | null;
  readonly status: string;
  readonly size: number;
  readonly bootable?: string;
  readonly snapshot_id?: string | null;
  readonly attachments: readonly { readonly server_id: string; readonly device?: string | null }[];
}

export interface Snapshot {
  readonly id: string;
  readonly name: string | null;
  readonly status: string;
  readonly size: number;
  readonly volume_id: string;
}

export interface Backup {
  readonly id: string;
  readonly name: string | null;
  readonly status: string;
  readonly size: number;
  readonly volume_id: string;
  readonly is_incremental: boolean;
  readonly has_dependent_backups: boolean;
  readonly created_at: string;
  readonly fail_reason: string | null;
}

export const listVolumes = async (s: Session) => (await call<{ volumes: Volume[] }>(s, VOLUME_SERVICE, '/volumes/detail')).volumes;
export const listSnapshots = async (s: Session) => (await call<{ snapshots: Snapshot[] }>(s, VOLUME_SERVICE, '/snapshots/detail')).snapshots;
export const listBackups = async (s: Session) => (await call<{ backups: Backup[] }>(s, VOLUME_SERVICE, '/backups/detail')).backups;

/** POST /volumes/{id}/action with one action body (`{"os-extend": {...}}`). */
export function volumeAction(s: Session, id: string, body: Record<string, unknown>): Promise<unknown> {
  return call(s, VOLUME_SERVICE, `/volumes/${id}/action`, { method: 'POST', body });
}

/** Attach through Nova, as `openstack server add volume` does: Nova asks Cinder for the attachment. */
export function attachVolume(s: Session, serverId: string, volumeId: string): Promise<unknown> {
  return call(s, 'compute', `/servers/${serverId}/os-volume_attachments`, { method: 'POST', body: { volumeAttachment: { volumeId } } });
}

export function detachVolume(s: Session, serverId: string, volumeId: string): Promise<unknown> {
  return call(s, 'compute', `/servers/${serverId}/os-volume_attachments/${volumeId}`, { method: 'DELETE' });
}
