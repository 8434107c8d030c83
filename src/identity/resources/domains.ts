import type { Selectable } from 'kysely';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { Forbidden } from '../../common/errors/errors.js';
import type { DomainsTable } from '../db/tables.js';
import { newId, parseObject, parseStrings, patchedDescription, patchedEnabledAndTags, toJson, type Extra, type ResourceDeps } from './store.js';

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
export class DomainManager {
  constructor(private readonly store: ResourceDeps) {}

  async create(input: DomainCreate): Promise<DomainRef> {
    const id = input.id ?? newId();
    await this.store.tables.domains.insert(
      {
        id,
        name: input.name.trim(),
        description: input.description ?? '',
        enabled: input.enabled ?? true,
        tags: toJson(input.tags ?? []),
        extra: toJson(input.extra),
        created_at: toDbTimestamp(this.store.now()),
      },
      duplicateName(input.name),
    );
    return this.get(id);
  }

  async get(id: string): Promise<DomainRef> {
    return toRef(await this.store.tables.domains.get(id));
  }

  async findByName(name: string): Promise<DomainRef | undefined> {
    const row = await this.store.tables.domains.findByName(name);
    return row === undefined ? undefined : toRef(row);
  }

  async list(filter: DomainFilter = {}): Promise<DomainRef[]> {
    return (await this.store.tables.domains.list(filter)).map(toRef);
  }

  async update(id: string, patch: DomainUpdate): Promise<DomainRef> {
    const current = await this.get(id);
    const name = patch.name?.trim() ?? current.name;
    await this.store.tables.domains.update(
      id,
      { name, ...patchedDescription(current, patch), ...patchedEnabledAndTags(current, patch) },
      duplicateName(name),
    );
    if (current.enabled && patch.enabled === false) await this.store.events.domainDisabledOrDeleted(id);
    return this.get(id);
  }

  /**
   * Deletes a disabled domain with everything in it: projects, users, groups, its own roles and
   * every assignment on or of them (Keystone's `_delete_domain_contents`).
   */
  async delete(id: string): Promise<void> {
    const domain = await this.get(id);
    if (domain.enabled) throw new Forbidden('Cannot delete a domain that is enabled, please disable it first.');
    await this.store.tables.domains.deleteWithContents(id);
    await this.store.tables.domainConfigs.delete(id);
    await this.store.events.domainDisabledOrDeleted(id);
  }
}

/** Keystone's 409 for a domain name in use (domains are projects acting as domains there). */
function duplicateName(name: string): () => string {
  return () =>
    `Conflict occurred attempting to store project - it is not permitted to have two projects acting as domains with the same name: ${name}.`;
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
