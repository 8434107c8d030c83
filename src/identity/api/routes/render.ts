import type { CatalogServiceRef } from '../../resources/catalog-services.js';
import type { DomainRef } from '../../resources/domains.js';
import type { EndpointRef } from '../../resources/endpoints.js';
import type { GroupRef } from '../../resources/groups.js';
import type { ProjectRef } from '../../resources/projects.js';
import type { RegionRef } from '../../resources/regions.js';
import type { RoleRef } from '../../resources/roles.js';
import type { UserRef } from '../../resources/users.js';
import { v3Url } from './links.js';

// Entities as Keystone's API prints them: the client's extra fields first (so they can never
// shadow a real attribute), then the attributes, then `links.self`.

type Body = Record<string, unknown>;

export function renderDomain(publicUrl: string, ref: DomainRef): Body {
  return {
    ...ref.extra,
    id: ref.id,
    name: ref.name,
    description: ref.description,
    enabled: ref.enabled,
    tags: ref.tags,
    options: {},
    links: { self: v3Url(publicUrl, `/domains/${ref.id}`) },
  };
}

export function renderProject(publicUrl: string, ref: ProjectRef): Body {
  return {
    ...ref.extra,
    id: ref.id,
    name: ref.name,
    domain_id: ref.domain_id,
    description: ref.description,
    enabled: ref.enabled,
    parent_id: ref.parent_id,
    is_domain: ref.is_domain,
    tags: ref.tags,
    options: {},
    links: { self: v3Url(publicUrl, `/projects/${ref.id}`) },
  };
}

export function renderUser(publicUrl: string, ref: UserRef): Body {
  return {
    ...ref.extra,
    id: ref.id,
    name: ref.name,
    domain_id: ref.domain_id,
    enabled: ref.enabled,
    ...(ref.default_project_id === null ? {} : { default_project_id: ref.default_project_id }),
    password_expires_at: null,
    options: ref.options,
    links: { self: v3Url(publicUrl, `/users/${ref.id}`) },
  };
}

export function renderGroup(publicUrl: string, ref: GroupRef): Body {
  return {
    ...ref.extra,
    id: ref.id,
    name: ref.name,
    domain_id: ref.domain_id,
    description: ref.description,
    links: { self: v3Url(publicUrl, `/groups/${ref.id}`) },
  };
}

export function renderRole(publicUrl: string, ref: RoleRef): Body {
  return {
    ...ref.extra,
    id: ref.id,
    name: ref.name,
    domain_id: ref.domain_id,
    description: ref.description,
    options: {},
    links: { self: v3Url(publicUrl, `/roles/${ref.id}`) },
  };
}

/** A role inside a role inference (Keystone's build_implied_role_response_data). */
export function renderInferenceRole(publicUrl: string, ref: RoleRef): Body {
  return { id: ref.id, name: ref.name, links: { self: v3Url(publicUrl, `/roles/${ref.id}`) } };
}

export function renderRegion(publicUrl: string, ref: RegionRef): Body {
  return {
    ...ref.extra,
    id: ref.id,
    description: ref.description,
    parent_region_id: ref.parent_region_id,
    links: { self: v3Url(publicUrl, `/regions/${ref.id}`) },
  };
}

export function renderService(publicUrl: string, ref: CatalogServiceRef): Body {
  return {
    ...ref.extra,
    id: ref.id,
    type: ref.type,
    ...(ref.name === null ? {} : { name: ref.name }),
    ...(ref.description === null ? {} : { description: ref.description }),
    enabled: ref.enabled,
    links: { self: v3Url(publicUrl, `/services/${ref.id}`) },
  };
}

export function renderEndpoint(publicUrl: string, ref: EndpointRef): Body {
  return {
    ...ref.extra,
    id: ref.id,
    interface: ref.interface,
    region_id: ref.region_id,
    region: ref.region_id,
    service_id: ref.service_id,
    url: ref.url,
    enabled: ref.enabled,
    links: { self: v3Url(publicUrl, `/endpoints/${ref.id}`) },
  };
}
