import { DISK_FORMATS, type DiskFormat } from '../formats/inspector.js';

/** Glance's image statuses; Nimbus uses queued, saving, active and deactivated. */
export const IMAGE_STATUSES = [
  'queued',
  'saving',
  'active',
  'killed',
  'deleted',
  'pending_delete',
  'deactivated',
  'uploading',
  'importing',
] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

export const VISIBILITIES = ['public', 'private', 'shared', 'community'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export { DISK_FORMATS };

export function isDiskFormat(value: string | null): value is DiskFormat {
  return (DISK_FORMATS as readonly (string | null)[]).includes(value);
}
export const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'] as const;

export const MEMBER_STATUSES = ['pending', 'accepted', 'rejected'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** An image as the service layer sees it: Glance's attributes, tags and extra properties. */
export interface ImageRef {
  readonly id: string;
  readonly name: string | null;
  readonly status: ImageStatus;
  readonly disk_format: string | null;
  readonly container_format: string | null;
  readonly size: number | null;
  readonly virtual_size: number | null;
  readonly checksum: string | null;
  readonly os_hash_algo: string | null;
  readonly os_hash_value: string | null;
  readonly min_disk: number;
  readonly min_ram: number;
  readonly visibility: Visibility;
  readonly protected: boolean;
  readonly os_hidden: boolean;
  readonly owner: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly tags: readonly string[];
  /** The stores holding its data, in the order they got it (Glance's locations' `store`; one empty id with a single store). */
  readonly stores: readonly string[];
  /** Extra properties (`owner_specified.openstack.md5`, compute's `image_type` …). */
  readonly properties: Readonly<Record<string, string>>;
}

/** The attributes a client may set (at create, or through a JSON patch). */
export interface ImageAttributes {
  readonly name?: string | null;
  readonly disk_format?: string | null;
  readonly container_format?: string | null;
  readonly min_disk?: number;
  readonly min_ram?: number;
  readonly visibility?: Visibility;
  readonly protected?: boolean;
  readonly os_hidden?: boolean;
  readonly owner?: string | null;
}

export interface ImageCreate extends ImageAttributes {
  readonly id?: string;
  readonly tags?: readonly string[];
  readonly properties?: Readonly<Record<string, string>>;
}

export interface ImageMemberRef {
  readonly image_id: string;
  readonly member_id: string;
  readonly status: MemberStatus;
  readonly created_at: string;
  readonly updated_at: string;
}

/** Attributes Glance computes: a client naming one at create or in a patch gets 403. */
export const READ_ONLY_ATTRIBUTES = [
  'created_at',
  'updated_at',
  'status',
  'checksum',
  'size',
  'virtual_size',
  'direct_url',
  'self',
  'file',
  'schema',
  'id',
  'os_hash_algo',
  'os_hash_value',
  'stores',
] as const;

/** Names no client may use as an extra property (Glance's reserved properties and namespace). */
export function isReservedProperty(name: string): boolean {
  return ['location', 'locations', 'deleted', 'deleted_at'].includes(name) || name.startsWith('os_glance');
}

/** The attributes an ImageRef holds as columns (anything else a client names is an extra property). */
export const BASE_ATTRIBUTES = new Set<string>([
  'id',
  'name',
  'status',
  'disk_format',
  'container_format',
  'size',
  'virtual_size',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'min_disk',
  'min_ram',
  'visibility',
  'protected',
  'os_hidden',
  'owner',
  'created_at',
  'updated_at',
  'tags',
  'stores',
]);
