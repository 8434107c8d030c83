import { BadRequest } from '../../common/errors/errors.js';
import type { EntityRow } from '../db/entity-table.js';
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
export class EndpointGroupManager {
  constructor(private readonly store: ResourceDeps) {}

  async create(input: EndpointGroupCreate): Promise<EndpointGroupRef> {
    const id = newId();
    await this.store.tables.endpointGroups.insert({ id, name: input.name, description: input.description ?? null, filters: toJson(validFilters(input.filters)) });
    return this.get(id);
  }

  async get(id: string): Promise<EndpointGroupRef> {
    return toRef(await this.store.tables.endpointGroups.get(id));
  }

  async list(filter: { readonly name?: string } = {}): Promise<EndpointGroupRef[]> {
    return (await this.store.tables.endpointGroups.list(filter)).map(toRef);
  }

  async update(id: string, patch: EndpointGroupUpdate): Promise<EndpointGroupRef> {
    const current = await this.get(id);
    await this.store.tables.endpointGroups.update(id, {
      name: patch.name ?? current.name,
      description: patch.description === undefined ? current.description : patch.description,
      filters: toJson(patch.filters === undefined ? current.filters : validFilters(patch.filters)),
    });
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    await this.store.tables.endpointGroups.get(id);
    await this.store.tables.endpointGroups.delete(id);
  }
}

function toRef(row: EntityRow<'identity_endpoint_groups'>): EndpointGroupRef {
  return { id: row.id, name: row.name, description: row.description, filters: parseObject(row.filters) };
}
