/**
 * Nova's views/images.py: a Glance image as the compute API's image proxy shows it. Status and
 * progress are Nova's v1-era names for Glance's statuses; metadata is the extra properties.
 */
import type { ImageRef, ImageStatus } from '../../../image/index.js';
import { autoDiskConfigFor, diskConfigOf } from '../../servers/disk-config.js';
import { resourceLinks } from './links.js';

const STATUS: Partial<Record<ImageStatus, string>> = {
  active: 'ACTIVE',
  queued: 'SAVING',
  saving: 'SAVING',
  deleted: 'DELETED',
  pending_delete: 'DELETED',
  killed: 'ERROR',
};

const PROGRESS: Partial<Record<ImageStatus, number>> = { queued: 25, saving: 50, active: 100 };

/** Nova's utils.isotime: seconds, `Z`. */
function isoTime(stored: string): string {
  return `${stored.slice(0, 19)}Z`;
}

/** self and bookmark under the compute API, alternate the image API's own. */
function imageLinks(publicUrl: string, id: string): { readonly rel: string; readonly href: string; readonly type?: string }[] {
  return [
    ...resourceLinks(publicUrl, 'images', id),
    { rel: 'alternate', type: 'application/vnd.openstack.image', href: `${publicUrl}/image/images/${encodeURIComponent(id)}` },
  ];
}

/** GET /images: id, name, links. */
export function renderImageBrief(publicUrl: string, image: ImageRef): Record<string, unknown> {
  return { id: image.id, name: image.name, links: imageLinks(publicUrl, image.id) };
}

/** GET /images/{id} and /images/detail; `server` for a snapshot, OS-DCF:diskConfig from auto_disk_config. */
export function renderImage(publicUrl: string, image: ImageRef): Record<string, unknown> {
  const instanceUuid = image.properties['instance_uuid'];
  const autoDiskConfig = image.properties['auto_disk_config'];
  return {
    id: image.id,
    name: image.name,
    minRam: image.min_ram,
    minDisk: image.min_disk,
    metadata: image.properties,
    created: isoTime(image.created_at),
    updated: isoTime(image.updated_at),
    status: STATUS[image.status] ?? 'UNKNOWN',
    progress: PROGRESS[image.status] ?? 0,
    // Nova reads Glance's null size (no data yet) as 0.
    'OS-EXT-IMG-SIZE:size': image.size ?? 0,
    links: imageLinks(publicUrl, image.id),
    ...(instanceUuid === undefined ? {} : { server: { id: instanceUuid, links: resourceLinks(publicUrl, 'servers', instanceUuid) } }),
    ...(autoDiskConfig === undefined ? {} : { 'OS-DCF:diskConfig': diskConfigOf(autoDiskConfigFor(undefined, image)) }),
  };
}
