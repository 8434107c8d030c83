import type { AssociationRef, MetadefItem, NamespaceRef, ResourceTypeRef } from '../../metadefs/metadef.js';
import { glanceTime } from './render.js';

// Metadefs as Glance's v2 API prints them: an attribute with no value is left out (its WSME
// models drop None), links relative, times without fractions.

/** The attributes of `record` that have a value. */
function present(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null && value !== undefined));
}

export function namespaceHref(namespace: string): string {
  return `/v2/metadefs/namespaces/${namespace}`;
}

/** What a namespace holds, printed with it by show (and create) when there is some. */
export interface NamespaceDetail {
  readonly associations?: readonly AssociationRef[];
  readonly properties?: readonly MetadefItem[];
  readonly objects?: readonly MetadefItem[];
  readonly tags?: readonly MetadefItem[];
}

export function renderNamespace(namespace: NamespaceRef, detail: NamespaceDetail = {}): Record<string, unknown> {
  const { associations = [], properties = [], objects = [], tags = [] } = detail;
  return present({
    namespace: namespace.namespace,
    display_name: namespace.display_name,
    description: namespace.description,
    visibility: namespace.visibility,
    protected: namespace.protected,
    owner: namespace.owner,
    created_at: glanceTime(namespace.created_at),
    updated_at: glanceTime(namespace.updated_at),
    self: namespaceHref(namespace.namespace),
    schema: '/v2/schemas/metadefs/namespace',
    resource_type_associations: associations.length === 0 ? undefined : associations.map(renderAssociation),
    properties: properties.length === 0 ? undefined : renderProperties(properties),
    objects: objects.length === 0 ? undefined : objects.map((object) => renderObject(namespace.namespace, object)),
    tags: tags.length === 0 ? undefined : tags.map((tag) => ({ name: tag.name })),
  });
}

export function renderObject(namespace: string, object: MetadefItem): Record<string, unknown> {
  return present({
    ...object.body,
    name: object.name,
    created_at: glanceTime(object.created_at),
    updated_at: glanceTime(object.updated_at),
    self: `${namespaceHref(namespace)}/objects/${object.name}`,
    schema: '/v2/schemas/metadefs/object',
  });
}

/** A property definition: its JSON schema with its name. */
export function renderProperty(property: MetadefItem): Record<string, unknown> {
  return { ...property.body, name: property.name };
}

/** Properties keyed by name, as a namespace and the properties listing print them. */
export function renderProperties(properties: readonly MetadefItem[]): Record<string, unknown> {
  return Object.fromEntries(properties.map((property) => [property.name, renderProperty(property)]));
}

export function renderTag(tag: MetadefItem): Record<string, unknown> {
  return { name: tag.name, created_at: glanceTime(tag.created_at), updated_at: glanceTime(tag.updated_at) };
}

export function renderAssociation(association: AssociationRef): Record<string, unknown> {
  return present({
    name: association.name,
    prefix: association.prefix,
    properties_target: association.properties_target,
    created_at: glanceTime(association.created_at),
    updated_at: glanceTime(association.updated_at),
  });
}

export function renderResourceType(type: ResourceTypeRef): Record<string, unknown> {
  return { name: type.name, created_at: glanceTime(type.created_at), updated_at: glanceTime(type.updated_at) };
}
