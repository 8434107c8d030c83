import type { Selectable } from 'kysely';
import { BadRequest } from '../../common/errors/errors.js';
import type { EndpointInterface, EndpointsTable } from '../db/tables.js';
import type { CatalogCache } from './catalog-cache.js';
import { CatalogEntityManager } from './catalog-entity-manager.js';
import { expectingToFind, mergeExtra, newId, parseObject, toJson, type Extra, type ResourceDeps } from './store.js';

export interface EndpointRef {
  readonly id: string;
  readonly service_id: string;
  readonly interface: EndpointInterface;
  readonly region_id: string | null;
  readonly url: string;
  readonly enabled: boolean;
  readonly extra: Extra;
}

export interface EndpointCreate {
  readonly service_id: string;
  readonly interface: EndpointInterface;
  readonly region_id?: string | null;
  readonly url: string;
  readonly enabled?: boolean;
  readonly extra?: Extra;
}

export type EndpointUpdate = Partial<EndpointCreate>;

export interface EndpointFilter {
  readonly interface?: EndpointInterface;
  readonly service_id?: string;
  readonly region_id?: string;
}

/** One service of a token's catalog, as Keystone's v3 token body lists it. */
export interface CatalogEntry {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly endpoints: readonly {
    readonly id: string;
    readonly interface: EndpointInterface;
    readonly region_id: string | null;
    readonly region: string | null;
    readonly url: string;
  }[];
}

/** Where each catalog service is reached, per interface and region. */
export class EndpointManager extends CatalogEntityManager<'identity_endpoints', EndpointRef, EndpointFilter> {
  constructor(store: ResourceDeps, catalog: CatalogCache) {
    super(store, store.tables.endpoints, toRef, catalog);
  }

  async create(input: EndpointCreate): Promise<EndpointRef> {
    await this.#checkReferences(input.service_id, input.region_id);
    return this.inserted({
      id: newId(),
      service_id: input.service_id,
      interface: input.interface,
      region_id: input.region_id ?? null,
      url: input.url,
      enabled: input.enabled ?? true,
      extra: toJson(input.extra),
    });
  }

  async update(id: string, patch: EndpointUpdate): Promise<EndpointRef> {
    const current = await this.get(id);
    const serviceId = patch.service_id ?? current.service_id;
    const regionId = patch.region_id === undefined ? current.region_id : patch.region_id;
    await this.#checkReferences(serviceId, regionId);
    return this.updated(id, {
      service_id: serviceId,
      interface: patch.interface ?? current.interface,
      region_id: regionId,
      url: patch.url ?? current.url,
      enabled: patch.enabled ?? current.enabled,
      extra: toJson(mergeExtra(current.extra, patch.extra)),
    });
  }

  /**
   * The catalog a token carries: enabled services with their enabled endpoints. `%(project_id)s`
   * and `%(tenant_id)s` in URLs become the token's project; without one such endpoints are left out.
   */
  async tokenCatalog(projectId?: string): Promise<CatalogEntry[]> {
    const { services, endpoints } = await this.catalog.rows();
    return services.map((service) => ({
      id: service.id,
      type: service.type,
      name: service.name ?? '',
      endpoints: endpoints.flatMap((endpoint) => {
        if (endpoint.service_id !== service.id) return [];
        const url = substituteProject(endpoint.url, projectId);
        if (url === undefined) return [];
        return [{ id: endpoint.id, interface: endpoint.interface, region_id: endpoint.region_id, region: endpoint.region_id, url }];
      }),
    }));
  }

  /** Keystone answers a missing service or region with a 400, not a 404. */
  async #checkReferences(serviceId: string, regionId: string | null | undefined): Promise<void> {
    const service = await this.store.tables.services.find(serviceId);
    if (service === undefined) {
      throw new BadRequest(expectingToFind('endpoint service_id', 'service table'));
    }
    if (regionId === null || regionId === undefined) return;
    const region = await this.store.tables.regions.find(regionId);
    if (region === undefined) {
      throw new BadRequest(expectingToFind('endpoint region_id', 'region table'));
    }
  }
}

const PROJECT_PLACEHOLDER = /[%$]\((?:project_id|tenant_id)\)s/g;

function substituteProject(url: string, projectId: string | undefined): string | undefined {
  if (url.match(PROJECT_PLACEHOLDER) === null) return url;
  return projectId === undefined ? undefined : url.replaceAll(PROJECT_PLACEHOLDER, projectId);
}

function toRef(row: Selectable<EndpointsTable>): EndpointRef {
  return {
    id: row.id,
    service_id: row.service_id,
    interface: row.interface,
    region_id: row.region_id,
    url: row.url,
    enabled: row.enabled,
    extra: parseObject(row.extra),
  };
}
