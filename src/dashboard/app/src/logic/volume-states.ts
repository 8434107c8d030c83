/**
 * What the Volumes page offers for a volume in each of Cinder's statuses, as Cinder's API would
 * accept it (cinder/volume/api.py's status checks), so a row never offers an action that is
 * bound to fail with a 400.
 */
export type VolumeAction = 'attach' | 'detach' | 'extend' | 'snapshot' | 'delete';

/** Statuses a volume passes through on its way somewhere: the page polls faster while one shows. */
const SETTLING = new Set(['creating', 'attaching', 'detaching', 'deleting', 'extending', 'downloading', 'reserved', 'backing-up', 'restoring-backup', 'uploading']);

const ACTIONS: Readonly<Record<string, readonly VolumeAction[]>> = {
  available: ['attach', 'extend', 'snapshot', 'delete'],
  // Cinder 3.42 extends an in-use volume; a snapshot of one needs `force`, which the page sends.
  'in-use': ['detach', 'extend', 'snapshot'],
  error: ['delete'],
  error_restoring: ['delete'],
  error_extending: ['delete'],
  error_managing: ['delete'],
};

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
