import type { ImageMemberRef, ImageRef } from '../../images/image.js';

/** Glance prints times without fractions: `2026-11-22T10:00:00Z`. */
export function glanceTime(stored: string): string {
  return `${stored.slice(0, 19)}Z`;
}

/**
 * An image as Glance's v2 API prints it: extra properties at the top level, links relative, and
 * (with several stores) the stores holding its data as `stores`, comma-separated.
 */
export function renderImage(image: ImageRef): Record<string, unknown> {
  const stores = image.stores.filter((store) => store !== '');
  return {
    ...image.properties,
    id: image.id,
    name: image.name,
    status: image.status,
    disk_format: image.disk_format,
    container_format: image.container_format,
    visibility: image.visibility,
    size: image.size,
    virtual_size: image.virtual_size,
    checksum: image.checksum,
    os_hash_algo: image.os_hash_algo,
    os_hash_value: image.os_hash_value,
    protected: image.protected,
    os_hidden: image.os_hidden,
    min_ram: image.min_ram,
    min_disk: image.min_disk,
    owner: image.owner,
    tags: [...image.tags],
    created_at: glanceTime(image.created_at),
    updated_at: glanceTime(image.updated_at),
    self: `/v2/images/${image.id}`,
    file: `/v2/images/${image.id}/file`,
    schema: '/v2/schemas/image',
    ...(stores.length === 0 ? {} : { stores: stores.join(',') }),
  };
}

export function renderMember(member: ImageMemberRef): Record<string, unknown> {
  return {
    created_at: glanceTime(member.created_at),
    image_id: member.image_id,
    member_id: member.member_id,
    schema: '/v2/schemas/member',
    status: member.status,
    updated_at: glanceTime(member.updated_at),
  };
}
