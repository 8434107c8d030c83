import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context/request-context.js';
import type { Database } from '../../common/db/database.js';
import { Conflict, Forbidden, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import { MetadefRecordStore, type NamespaceContents } from '../db/metadef-record-store.js';
import { viewerOf } from '../images/visibility.js';
import type {
  AssociationFields,
  AssociationRef,
  ItemFields,
  MetadefItem,
  MetadefKind,
  MetadefVisibility,
  NamespaceFields,
  NamespaceSort,
  NamespaceRef,
  ResourceTypeRef,
} from './metadef.js';

const LOG = getLogger('nimbus.image.metadefs');

/** Glance's `limit_param_default` and `api_limit_max`. */
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 1000;

/** A namespace listing's filters and page. */
export interface NamespaceQuery {
  readonly visibility?: MetadefVisibility;
  readonly resourceTypes?: readonly string[];
  readonly limit?: number;
  /** The name of the last namespace of the previous page. */
  readonly marker?: string;
  readonly sort: NamespaceSort;
}

export interface NamespacePage {
  readonly namespaces: readonly NamespaceRef[];
  /** The marker of the next page when this one is full. */
  readonly next?: string;
}

/** How Glance names each kind in its messages ("metadata definition object …"). */
const KIND_WORDS: Readonly<Record<MetadefKind, { notFound: string; duplicate: string }>> = {
  object: { notFound: 'The metadata definition object', duplicate: 'A metadata definition object' },
  property: { notFound: 'The metadata definition property', duplicate: 'A metadata definition property' },
  tag: { notFound: 'The metadata definition tag', duplicate: 'A metadata tag' },
};

function notFound(kind: MetadefKind, name: string, namespace: NamespaceRef): NotFound {
  return new NotFound(`${KIND_WORDS[kind].notFound} with name=${name} was not found in namespace=${namespace.namespace}.`);
}

function duplicate(kind: MetadefKind, name: string, namespace: NamespaceRef): Conflict {
  const caseNote = kind === 'tag' ? ' (Please note that metadata tag names are case insensitive).' : '';
  return new Conflict(`${KIND_WORDS[kind].duplicate} with name=${name} already exists in namespace=${namespace.namespace}.${caseNote}`);
}

/** A protected namespace keeps everything it holds, as Glance's domain objects refuse. */
function refuseIfProtected(namespace: NamespaceRef, what: string): void {
  if (namespace.protected) throw new Forbidden(`Metadata definition ${what} is protected and cannot be deleted.`);
}

/**
 * Glance's metadata definitions: namespaces, their objects, properties and tags, and their
 * associations with resource types. Every method that names a namespace finds it under the
 * caller's visibility first: a private namespace of another project is NotFound, never 403.
 * Policy (who may write) is the API layer's.
 */
export class MetadefService {
  readonly #records: MetadefRecordStore;

  constructor(
    private readonly database: Database,
    now: () => Date,
  ) {
    this.#records = new MetadefRecordStore(database, now);
  }

  /** The namespace if the caller may see it: an administrator, its owner, or anyone for a public or ownerless one. */
  async namespace(context: RequestContext, name: string): Promise<NamespaceRef> {
    const namespace = await this.#records.findNamespace(name);
    const visible =
      namespace !== undefined &&
      (context.isAdmin === true || namespace.owner === null || namespace.visibility === 'public' || namespace.owner === context.projectId);
    if (!visible) throw new NotFound(`Metadata definition namespace=${name} was not found.`);
    return namespace;
  }

  async listNamespaces(context: RequestContext, query: NamespaceQuery): Promise<NamespacePage> {
    const limit = Math.min(query.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
    let namespaces = await this.#records.listNamespaces(viewerOf(context), query);
    if (query.marker !== undefined) {
      const marker = query.marker;
      await this.namespace(context, marker);
      namespaces = namespaces.slice(namespaces.findIndex((namespace) => namespace.namespace === marker) + 1);
    }
    const page = namespaces.slice(0, limit);
    const last = page.at(-1);
    return { namespaces: page, ...(last !== undefined && page.length === limit ? { next: last.namespace } : {}) };
  }

  /** Creates the namespace with the objects, properties, tags and associations it is given, all or nothing. */
  async createNamespace(fields: NamespaceFields, contents: NamespaceContents): Promise<NamespaceRef> {
    const id = randomUUID();
    try {
      await this.#records.insertNamespace(id, fields, contents);
    } catch (error) {
      if (!this.database.isUniqueViolation(error)) throw error;
      if ((await this.#records.findNamespace(fields.namespace)) !== undefined) {
        throw new Conflict(`The metadata definition namespace=${fields.namespace} already exists.`);
      }
      throw new Conflict(`Couldn't create metadata namespace ${fields.namespace}: its contents name something twice.`);
    }
    LOG.info(`Created metadata definition namespace ${fields.namespace} owned by ${fields.owner ?? '-'}`);
    return this.#found(fields.namespace);
  }

  async updateNamespace(namespace: NamespaceRef, fields: NamespaceFields): Promise<NamespaceRef> {
    try {
      await this.#records.updateNamespace(namespace.id, fields);
    } catch (error) {
      if (!this.database.isUniqueViolation(error)) throw error;
      throw new Conflict(`Invalid update. It would result in a duplicate metadata definition namespace with the same name of ${fields.namespace}`);
    }
    return this.#found(fields.namespace);
  }

  async deleteNamespace(namespace: NamespaceRef): Promise<void> {
    refuseIfProtected(namespace, `namespace ${namespace.namespace}`);
    await this.#records.deleteNamespace(namespace.id);
    LOG.info(`Deleted metadata definition namespace ${namespace.namespace}`);
  }

  /** Removes every item of a kind: refused for a protected namespace, as deleting it would be. */
  async deleteItems(namespace: NamespaceRef, kind: MetadefKind): Promise<void> {
    refuseIfProtected(namespace, `namespace ${namespace.namespace}`);
    await this.#records.deleteItems(namespace.id, kind);
  }

  items(namespace: NamespaceRef, kind: MetadefKind): Promise<MetadefItem[]> {
    return this.#records.listItems(namespace.id, kind);
  }

  async item(namespace: NamespaceRef, kind: MetadefKind, name: string): Promise<MetadefItem> {
    const item = await this.#records.findItem(namespace.id, kind, name);
    if (item === undefined) throw notFound(kind, name, namespace);
    return item;
  }

  async createItem(namespace: NamespaceRef, kind: MetadefKind, fields: ItemFields): Promise<MetadefItem> {
    try {
      await this.#records.insertItem(namespace.id, kind, fields);
    } catch (error) {
      if (!this.database.isUniqueViolation(error)) throw error;
      throw duplicate(kind, fields.name, namespace);
    }
    return this.item(namespace, kind, fields.name);
  }

  async updateItem(namespace: NamespaceRef, kind: MetadefKind, name: string, fields: ItemFields): Promise<MetadefItem> {
    let updated: boolean;
    try {
      updated = await this.#records.updateItem(namespace.id, kind, name, fields);
    } catch (error) {
      if (!this.database.isUniqueViolation(error)) throw error;
      throw new Conflict(`Invalid update. It would result in a duplicate metadata definition ${kind} with the same name=${fields.name} in namespace=${namespace.namespace}.`);
    }
    if (!updated) throw notFound(kind, name, namespace);
    return this.item(namespace, kind, fields.name);
  }

  async deleteItem(namespace: NamespaceRef, kind: MetadefKind, name: string): Promise<void> {
    const item = await this.item(namespace, kind, name);
    refuseIfProtected(namespace, `${kind} ${item.name}`);
    await this.#records.deleteItem(namespace.id, kind, name);
  }

  /** Glance's create-multiple: the tags replace those there were, unless `append`; a duplicate name refuses them all. */
  async createTags(namespace: NamespaceRef, names: readonly string[], append: boolean): Promise<MetadefItem[]> {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name.toLowerCase())) throw duplicate('tag', name, namespace);
      seen.add(name.toLowerCase());
    }
    try {
      await this.#records.replaceItems(
        namespace.id,
        'tag',
        names.map((name) => ({ name, body: {} })),
        append,
      );
    } catch (error) {
      if (!this.database.isUniqueViolation(error)) throw error;
      const existing = new Set((await this.items(namespace, 'tag')).map((tag) => tag.name.toLowerCase()));
      throw duplicate('tag', names.find((name) => existing.has(name.toLowerCase())) ?? names[0] ?? '', namespace);
    }
    const created = new Set(names.map((name) => name.toLowerCase()));
    return (await this.items(namespace, 'tag')).filter((tag) => created.has(tag.name.toLowerCase()));
  }

  resourceTypes(): Promise<ResourceTypeRef[]> {
    return this.#records.listResourceTypes();
  }

  associations(namespace: NamespaceRef): Promise<AssociationRef[]> {
    return this.#records.listAssociations(namespace.id);
  }

  async associate(namespace: NamespaceRef, fields: AssociationFields): Promise<AssociationRef> {
    try {
      return await this.#records.insertAssociation(namespace.id, fields);
    } catch (error) {
      if (!this.database.isUniqueViolation(error)) throw error;
      throw new Conflict(
        `The metadata definition resource-type association of resource-type=${fields.name} to namespace=${namespace.namespace} already exists.`,
      );
    }
  }

  async dissociate(namespace: NamespaceRef, resourceType: string): Promise<void> {
    const known = (await this.resourceTypes()).some((type) => type.name === resourceType);
    if (!known) throw new NotFound(`The metadata definition resource-type with name=${resourceType}, was not found.`);
    refuseIfProtected(namespace, `resource-type-association ${resourceType}`);
    if (!(await this.#records.deleteAssociation(namespace.id, resourceType))) {
      throw new NotFound(
        `The metadata definition resource-type association of resource-type=${resourceType} to namespace=${namespace.namespace}, was not found.`,
      );
    }
  }

  async #found(name: string): Promise<NamespaceRef> {
    const namespace = await this.#records.findNamespace(name);
    if (namespace === undefined) throw new NotFound(`Metadata definition namespace=${name} was not found.`);
    return namespace;
  }
}
