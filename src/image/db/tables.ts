import type { DbTimestamp } from '../../common/db/timestamps.js';

// Rows of the tables created by migrations/2026-11-22-image-tables.ts. Type aliases, not
// interfaces: Kysely's withTables() needs their implicit index signature.

export type ImagesTable = {
  /** A uuid with dashes, as Glance's ids. */
  id: string;
  name: string | null;
  status: string;
  disk_format: string | null;
  container_format: string | null;
  size: number | null;
  virtual_size: number | null;
  /** Hex md5 of the data. */
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  min_disk: number;
  min_ram: number;
  visibility: string;
  protected: boolean;
  os_hidden: boolean;
  /** The owning project's id. */
  owner: string | null;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
};

/** Glance's extra properties: any string-valued attribute a client set. */
export type ImagePropertiesTable = {
  image_id: string;
  name: string;
  value: string;
};

export type ImageTagsTable = {
  image_id: string;
  value: string;
};

/** Projects an image of visibility `shared` is offered to. */
export type ImageMembersTable = {
  image_id: string;
  member: string;
  status: string;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
};

export type ImageTables = {
  image_images: ImagesTable;
  image_properties: ImagePropertiesTable;
  image_tags: ImageTagsTable;
  image_members: ImageMembersTable;
};
