import type { CatalogServiceRef } from '../../resources/catalog-services.js';
import type { DomainRef } from '../../resources/domains.js';
import type { EndpointRef } from '../../resources/endpoints.js';
import type { GroupRef } from '../../resources/groups.js';
import type { ProjectView } from '../../resources/projects.js';
import type { RegionRef } from '../../resources/regions.js';
import type { RoleRef } from '../../resources/roles.js';
import type { UserRef } from '../../resources/users.js';
import { v3Url } from './links.js';

// Entities as Keystone's API prints them: the client's extra fields first (so they can never
// shadow a real attribute), then the attributes, then `links.self`.

type Body = Record<string, unknown>;

/** `{...extra, id, ...attributes, links.self}` of an entity in `collection` (an entity without extra fields has none to spread). */
export function renderEntity(publicUrl: string, collection: string, ref: { readonly id: string; readonly extra?: Readonly<Body> }, attributes: Body): Body {
  return { ...ref.extra, id: ref.id, ...attributes, links: { self: v3Url(publicUrl, `/${collection}/${ref.id}`) } };
}

/** `{ [key]: value }`, or nothing when the value is null: attributes Keystone leaves out when unset. */
function unlessNull(key: string, value: unknown): Body {
  return value === null ? {} : { [key]: value };
}

export function renderDomain(publicUrl: string, ref: DomainRef): Body {
  return renderEntity(publicUrl, 'domains', ref, { name: ref.name, description: ref.description, enabled: ref.enabled, tags: ref.tags, options: {} });
}

export function renderProject(publicUrl: string, ref: ProjectView): Body {
  return renderEntity(publicUrl, 'projects', ref, {
    name: ref.name,
    domain_id: ref.domain_id,
    description: ref.description,
    enabled: ref.enabled,
    parent_id: ref.parent_id,
    is_domain: ref.is_domain,
    tags: ref.tags,
    options: {},
  });
}

export function renderUser(publicUrl: string, ref: UserRef): Body {
  return renderEntity(publicUrl, 'users', ref, {
    name: ref.name,
    domain_id: ref.domain_id,
    enabled: ref.enabled,
    ...unlessNull('default_project_id', ref.default_project_id),
    password_expires_at: null,
    options: ref.options,
  });
}

export function renderGroup(publicUrl: string, ref: GroupRef): Body {
  return renderEntity(publicUrl, 'groups', ref, { name: ref.name, domain_id: ref.domain_id, description: ref.description });
}

export function renderRole(publicUrl: string, ref: RoleRef): Body {
  return renderEntity(publicUrl, 'roles', ref, { name: ref.name, domain_id: ref.domain_id, description: ref.description, options: {} });
}

/** A role inside a role inference (Keystone's build_implied_role_response_data): no extra fields. */
export function renderInferenceRole(publicUrl: string, ref: RoleRef): Body {
  return renderEntity(publicUrl, 'roles', { id: ref.id }, { name: ref.name });
}

export function renderRegion(publicUrl: string, ref: RegionRef): Body {
  return renderEntity(publicUrl, 'regions', ref, { description: ref.description, parent_region_id: ref.parent_region_id });
}

export function renderService(publicUrl: string, ref: CatalogServiceRef): Body {
  return renderEntity(publicUrl, 'services', ref, {
    type: ref.type,
    ...unlessNull('name', ref.name),
    ...unlessNull('description', ref.description),
    enabled: ref.enabled,
  });
}

export function renderEndpoint(publicUrl: string, ref: EndpointRef): Body {
  return renderEntity(publicUrl, 'endpoints', ref, {
    interface: ref.interface,
    region_id: ref.region_id,
    region: ref.region_id,
    service_id: ref.service_id,
    url: ref.url,
    enabled: ref.enabled,
  });
}
