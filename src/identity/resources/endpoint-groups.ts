import { BadRequest } from '../../common/errors/errors.js';
import type { EntityRow } from '../db/entity-table.js';
import { EntityManager } from './entity-manager.js';
import { expectingToFind, newId, parseObject, toJson, type ResourceDeps } from './store.js';

/** What an endpoint group may filter endpoints on (Keystone's _require_valid_filter). */
const FILTER_KEYS = ['service_id', 'region_id', 'interface'] as const;

export type EndpointGroupFilters = Readonly<Record<string, unknown>>;

export interface EndpointGroupRef {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly filters: EndpointGroupFilters;
}

export interface EndpointGroupCreate {
  readonly name: string;
  readonly description?: string | null;
  readonly filters: EndpointGroupFilters;
}

export type EndpointGroupUpdate = Partial<EndpointGroupCreate>;

/** Keystone's filters check: not empty, and only the keys endpoints can be matched on. */
function validFilters(filters: EndpointGroupFilters): EndpointGroupFilters {
  if (Object.keys(filters).length === 0) throw new BadRequest('filters field is required and cannot be empty');
  if (Object.keys(filters).some((key) => !(FILTER_KEYS as readonly string[]).includes(key))) {
    throw new BadRequest(expectingToFind(FILTER_KEYS.join(' or '), 'endpoint_group'));
  }
  return filters;
}

/** Keystone's OS-EP-FILTER endpoint groups: named filters (service, region, interface) that pick endpoints. */
export class EndpointGroupManager extends EntityManager<'identity_endpoint_groups', EndpointGroupRef, { readonly name?: string }> {
  constructor(store: ResourceDeps) {
    super(store, store.tables.endpointGroups, toRef);
  }

  async create(input: EndpointGroupCreate): Promise<EndpointGroupRef> {
    return this.inserted({ id: newId(), name: input.name, description: input.description ?? null, filters: toJson(validFilters(input.filters)) });
  }

  async update(id: string, patch: EndpointGroupUpdate): Promise<EndpointGroupRef> {
    const current = await this.get(id);
    return this.updated(id, {
      name: patch.name ?? current.name,
      description: patch.description === undefined ? current.description : patch.description,
      filters: toJson(patch.filters === undefined ? current.filters : validFilters(patch.filters)),
    });
  }
}

function toRef(row: EntityRow<'identity_endpoint_groups'>): EndpointGroupRef {
  return { id: row.id, name: row.name, description: row.description, filters: parseObject(row.filters) };
}
