/** The image record the compute test harnesses hand out: an active public cirros unless told otherwise. */
import type { ImageRef } from '../../image/images/image.js';

export function fakeImage(id: string, overrides: Partial<ImageRef> = {}): ImageRef {
  return {
    id,
    name: 'cirros',
    status: 'active',
    disk_format: 'qcow2',
    container_format: 'bare',
    size: 1024,
    virtual_size: null,
    checksum: null,
    os_hash_algo: null,
    os_hash_value: null,
    min_disk: 0,
    min_ram: 0,
    visibility: 'public',
    protected: false,
    os_hidden: false,
    owner: null,
    created_at: '2026-11-22T10:00:00Z',
    updated_at: '2026-11-22T10:00:00Z',
    tags: [],
    stores: [],
    properties: {},
    ...overrides,
  };
}
