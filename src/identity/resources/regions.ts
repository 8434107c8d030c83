import type { Selectable } from 'kysely';
import { BadRequest, Forbidden, NotFound } from '../../common/errors/errors.js';
import type { RegionsTable } from '../db/tables.js';
import { EntityManager } from './entity-manager.js';
import { conflictStoring, mergeExtra, newId, parseObject, toJson, type Extra, type ResourceDeps } from './store.js';

export interface RegionRef {
  readonly id: string;
  readonly description: string;
  readonly parent_region_id: string | null;
  readonly extra: Extra;
}

export interface RegionCreate {
  /** Regions, unlike the rest, take a client-chosen id (RegionOne); else one is generated. */
  readonly id?: string;
  readonly description?: string | null;
  readonly parent_region_id?: string | null;
  readonly extra?: Extra;
}

export type RegionUpdate = Omit<RegionCreate, 'id'>;

export interface RegionFilter {
  readonly parent_region_id?: string;
}

/** Catalog regions, optionally nested under a parent region. */
export class RegionManager extends EntityManager<'identity_regions', RegionRef, RegionFilter> {
  constructor(store: ResourceDeps) {
    super(store, store.tables.regions, toRef);
  }

  async create(input: RegionCreate): Promise<RegionRef> {
    const id = input.id ?? newId();
    if (input.parent_region_id) await this.#parent(input.parent_region_id);
    return this.inserted(
      {
        id,
        // Keystone's column is NOT NULL: a missing description is stored as ''.
        description: input.description ?? '',
        parent_region_id: input.parent_region_id ?? null,
        extra: toJson(input.extra),
      },
      conflictStoring('region', `Duplicate ID, ${id}`),
    );
  }

  async update(id: string, patch: RegionUpdate): Promise<RegionRef> {
    const current = await this.get(id);
    const parentId = patch.parent_region_id === undefined ? current.parent_region_id : patch.parent_region_id;
    if (parentId) await this.#checkNoCycle(id, parentId);
    return this.updated(id, {
      description: patch.description ?? current.description,
      parent_region_id: parentId,
      extra: toJson(mergeExtra(current.extra, patch.extra)),
    });
  }

  /** Deletes the region and the regions below it, unless any of them has endpoints. */
  override async delete(id: string): Promise<void> {
    await this.get(id);
    const ids = await this.#withDescendants(id);
    if (await this.store.tables.regions.anyHasEndpoints(ids)) {
      throw new Forbidden(`Unable to delete region ${id} because it or its child regions have associated endpoints.`);
    }
    await this.store.tables.regions.deleteAll(ids);
  }

  async #parent(parentId: string): Promise<RegionRef> {
    try {
      return await this.get(parentId);
    } catch (error) {
      if (error instanceof NotFound) throw new NotFound(`Could not find region: ${parentId}.`);
      throw error;
    }
  }

  async #checkNoCycle(id: string, parentId: string): Promise<void> {
    let current: RegionRef | undefined = await this.#parent(parentId);
    while (current !== undefined) {
      if (current.id === id) {
        throw new BadRequest(`Circular reference or a repeated entry found in region tree - ${id}.`);
      }
      current = current.parent_region_id === null ? undefined : await this.get(current.parent_region_id);
    }
  }

  async #withDescendants(id: string): Promise<string[]> {
    const ids = [id];
    let level = [id];
    while (level.length > 0) {
      level = (await this.store.tables.regions.childIds(level)).filter((child) => !ids.includes(child));
      ids.push(...level);
    }
    return ids;
  }
}

function toRef(row: Selectable<RegionsTable>): RegionRef {
  return { id: row.id, description: row.description, parent_region_id: row.parent_region_id, extra: parseObject(row.extra) };
}
