/** Glance's metadata definitions as the image service hands them out. */

export const METADEF_VISIBILITIES = ['public', 'private'] as const;
export type MetadefVisibility = (typeof METADEF_VISIBILITIES)[number];

/** A namespace of definitions; `namespace` is its unique name, the only handle clients have. */
export interface NamespaceRef extends NamespaceFields {
  /** The store's own key, never shown: renaming a namespace keeps it. */
  readonly id: string;
  readonly created_at: string;
  readonly updated_at: string;
}

/** The order of a namespace listing. */
export interface NamespaceSort {
  readonly key: 'created_at' | 'updated_at' | 'namespace' | 'display_name';
  readonly dir: 'asc' | 'desc';
}

/** What a namespace's attributes are set to on create and update. */
export interface NamespaceFields {
  readonly namespace: string;
  readonly display_name: string | null;
  readonly description: string | null;
  readonly visibility: MetadefVisibility;
  readonly protected: boolean;
  readonly owner: string | null;
}

/** The three kinds of definitions a namespace holds besides its resource type associations. */
export type MetadefKind = 'object' | 'property' | 'tag';

/** An object, property or tag: its name and its definition (JSON schema of an object or property; empty for a tag). */
export interface MetadefItem {
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly created_at: string;
  readonly updated_at: string;
}

/** What an item's name and definition are set to. */
export interface ItemFields {
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface ResourceTypeRef {
  readonly name: string;
  readonly created_at: string;
  readonly updated_at: string;
}

/** A namespace's association with a resource type: properties apply to it under `prefix`. */
export interface AssociationRef {
  readonly name: string;
  readonly prefix: string | null;
  readonly properties_target: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface AssociationFields {
  readonly name: string;
  readonly prefix?: string | undefined;
  readonly properties_target?: string | undefined;
}

/** Tag names are unique case-insensitively, as in Glance; objects and properties by their exact name. */
export function itemKey(kind: MetadefKind, name: string): string {
  return kind === 'tag' ? name.toLowerCase() : name;
}
