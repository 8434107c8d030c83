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

/** A store holding an image's data (migrations/2026-12-06-store-locations.ts). */
export type ImageLocationsTable = {
  image_id: string;
  /** The store's id in enabled_backends; empty with a single store. */
  store: string;
  created_at: DbTimestamp;
};

export type ImageTables = {
  image_images: ImagesTable;
  image_locations: ImageLocationsTable;
  image_properties: ImagePropertiesTable;
  image_tags: ImageTagsTable;
  image_members: ImageMembersTable;
};

/** A metadata definition namespace; `namespace` is its unique name, the id never leaves the store. */
export type MetadefNamespacesTable = {
  id: string;
  namespace: string;
  display_name: string | null;
  description: string | null;
  visibility: string;
  protected: boolean;
  owner: string | null;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
};

/** An object, property or tag of a namespace; `body` is its JSON definition. */
export type MetadefItemsTable = {
  namespace_id: string;
  kind: string;
  /** What the item is unique by within its namespace and kind (lower case for tags). */
  item_key: string;
  name: string;
  body: string;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
};

export type MetadefResourceTypesTable = {
  name: string;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
};

export type MetadefAssociationsTable = {
  namespace_id: string;
  resource_type: string;
  prefix: string | null;
  properties_target: string | null;
  created_at: DbTimestamp;
  updated_at: DbTimestamp;
};

export type MetadefTables = {
  image_metadef_namespaces: MetadefNamespacesTable;
  image_metadef_items: MetadefItemsTable;
  image_metadef_resource_types: MetadefResourceTypesTable;
  image_metadef_associations: MetadefAssociationsTable;
};
