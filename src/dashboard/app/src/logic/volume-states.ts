/**
 * What the Volumes page offers for a volume in each of Cinder's statuses, as Cinder's API would
 * accept it (cinder/volume/api.py's status checks), so a row never offers an action that is
 * bound to fail with a 400.
 */
export type VolumeAction = 'attach' | 'detach' | 'extend' | 'snapshot' | 'backup' | 'delete';

/** Statuses a volume, snapshot or backup passes through on its way somewhere: the page polls faster while one shows. */
const SETTLING = new Set(['creating', 'attaching', 'detaching', 'deleting', 'extending', 'downloading', 'reserved', 'backing-up', 'restoring-backup', 'restoring', 'uploading']);

const ACTIONS: Readonly<Record<string, readonly VolumeAction[]>> = {
  available: ['attach', 'extend', 'snapshot', 'backup', 'delete'],
  // Cinder 3.42 extends an in-use volume; a snapshot or backup of one needs `force`, which the page sends.
  'in-use': ['detach', 'extend', 'snapshot', 'backup'],
  error: ['delete'],
  error_restoring: ['delete'],
  error_extending: ['delete'],
  error_managing: ['delete'],
};

/** How the pages name a volume, snapshot or backup: its name, or its id when it has none. */
export const volumeName = (v: { readonly id: string; readonly name: string | null }): string => v.name || v.id;

export function volumeActions(status: string): readonly VolumeAction[] {
  return ACTIONS[status] ?? [];
}

export function isSettling(status: string): boolean {
  return SETTLING.has(status);
}

/** Snapshots may be deleted once they are no longer being made or deleted. */
export function snapshotDeletable(status: string): boolean {
  return status === 'available' || status === 'error';
}

/** Where a new volume's data comes from. */
export type VolumeSource = { readonly kind: 'blank' } | { readonly kind: 'image'; readonly id: string } | { readonly kind: 'snapshot'; readonly id: string };

/** Cinder's create body: a blank volume of `size` GiB, or one filled from an image or a snapshot. */
export function volumeCreateBody(name: string, size: number, source: VolumeSource): { volume: Record<string, unknown> } {
  const from = source.kind === 'image' ? { imageRef: source.id } : source.kind === 'snapshot' ? { snapshot_id: source.id } : {};
  return { volume: { size, ...(name === '' ? {} : { name }), ...from } };
}

/** The size an extend may ask for: a whole number of GiB above the current one, else the reason it may not. */
export function extendSize(current: number, wanted: string): number | string {
  const size = Number(wanted);
  if (!Number.isInteger(size)) return 'The new size is a whole number of GiB.';
  if (size <= current) return `The new size must be more than the current ${current} GiB.`;
  return size;
}

/** What a backup offers: restore once it is available, delete at rest unless an incremental depends on it. */
export type BackupAction = 'restore' | 'delete';

export function backupActions(backup: { readonly status: string; readonly has_dependent_backups?: boolean }): readonly BackupAction[] {
  const deletable = (backup.status === 'available' || backup.status === 'error') && backup.has_dependent_backups !== true;
  return [...(backup.status === 'available' ? (['restore'] as const) : []), ...(deletable ? (['delete'] as const) : [])];
}

/** Cinder's backup create body; an in-use volume is backed up with `force` (cinder/backup/api.py). */
export function backupCreateBody(volume: { readonly id: string; readonly status: string }, name: string, incremental: boolean): { backup: Record<string, unknown> } {
  return { backup: { volume_id: volume.id, ...(name === '' ? {} : { name }), ...(incremental ? { incremental: true } : {}), ...(volume.status === 'in-use' ? { force: true } : {}) } };
}

/** Volumes a backup may be restored into: available ones at least as large as the backup. */
export function restoreTargets<V extends { readonly status: string; readonly size: number }>(volumes: readonly V[], backup: { readonly size: number }): V[] {
  return volumes.filter((v) => v.status === 'available' && v.size >= backup.size);
}

/** The restore body: into the volume `volumeId`, or ('' ) a new volume Cinder makes, named `name` when one is given. */
export function restoreBody(volumeId: string, name: string): { restore: Record<string, unknown> } {
  if (volumeId !== '') return { restore: { volume_id: volumeId } };
  return { restore: name === '' ? {} : { name } };
}
