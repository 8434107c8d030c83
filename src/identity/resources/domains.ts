import type { Selectable } from 'kysely';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { Forbidden } from '../../common/errors/errors.js';
import type { DomainsTable } from '../db/tables.js';
import { EntityManager } from './entity-manager.js';
import { conflictStoring, newId, parseObject, parseStrings, patchedDescription, patchedEnabledAndTags, toJson, type Extra, type ResourceDeps } from './store.js';

/** Keystone's default domain, which exists from the start. */
export const DEFAULT_DOMAIN_ID = 'default';

export interface DomainRef {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly enabled: boolean;
  readonly tags: readonly string[];
  readonly extra: Extra;
}

export interface DomainCreate {
  /** Only the bootstrap chooses an id (`default`); otherwise one is generated. */
  readonly id?: string;
  readonly name: string;
  readonly description?: string | null;
  readonly enabled?: boolean;
  readonly tags?: readonly string[];
  readonly extra?: Extra;
}

export type DomainUpdate = Partial<Omit<DomainCreate, 'id'>>;

export interface DomainFilter {
  readonly name?: string;
  readonly enabled?: boolean;
}

/** Domains: the top-level containers of projects, users and groups. */
export class DomainManager extends EntityManager<'identity_domains', DomainRef, DomainFilter> {
  constructor(store: ResourceDeps) {
    super(store, store.tables.domains, toRef);
  }

  async create(input: DomainCreate): Promise<DomainRef> {
    return this.inserted(
      {
        id: input.id ?? newId(),
        name: input.name.trim(),
        description: input.description ?? '',
        enabled: input.enabled ?? true,
        tags: toJson(input.tags ?? []),
        extra: toJson(input.extra),
        created_at: toDbTimestamp(this.store.now()),
      },
      duplicateName(input.name),
    );
  }

  async findByName(name: string): Promise<DomainRef | undefined> {
    const row = await this.store.tables.domains.findByName(name);
    return row === undefined ? undefined : toRef(row);
  }

  async update(id: string, patch: DomainUpdate): Promise<DomainRef> {
    const current = await this.get(id);
    const name = patch.name?.trim() ?? current.name;
    const updated = await this.updated(
      id,
      { name, ...patchedDescription(current, patch), ...patchedEnabledAndTags(current, patch) },
      duplicateName(name),
    );
    if (current.enabled && patch.enabled === false) await this.store.events.domainDisabledOrDeleted(id);
    return updated;
  }

  /**
   * Deletes a disabled domain with everything in it: projects, users, groups, its own roles and
   * every assignment on or of them (Keystone's `_delete_domain_contents`).
   */
  override async delete(id: string): Promise<void> {
    const domain = await this.get(id);
    if (domain.enabled) throw new Forbidden('Cannot delete a domain that is enabled, please disable it first.');
    await this.store.tables.domains.deleteWithContents(id);
    await this.store.tables.domainConfigs.delete(id);
    await this.store.events.domainDisabledOrDeleted(id);
  }
}

/** Keystone's 409 for a domain name in use (domains are projects acting as domains there). */
function duplicateName(name: string): () => string {
  return conflictStoring('project', `it is not permitted to have two projects acting as domains with the same name: ${name}`);
}

function toRef(row: Selectable<DomainsTable>): DomainRef {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    tags: parseStrings(row.tags),
    extra: parseObject(row.extra),
  };
}
