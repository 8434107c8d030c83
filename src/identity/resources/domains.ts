import type { Selectable } from 'kysely';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { Conflict, Forbidden, NotFound } from '../../common/errors/errors.js';
import type { DomainsTable } from '../db/tables.js';
import { mergeExtra, newId, parseObject, parseStrings, toJson, type Extra, type IdentityStore } from './store.js';

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
  constructor(private readonly store: IdentityStore) {}

  async create(input: DomainCreate): Promise<DomainRef> {
    const id = input.id ?? newId();
    await this.#storing(input.name, () =>
      this.store.db
        .insertInto('identity_domains')
        .values({
          id,
          name: input.name.trim(),
          description: input.description ?? '',
          enabled: input.enabled ?? true,
          tags: toJson(input.tags ?? []),
          extra: toJson(input.extra),
          created_at: toDbTimestamp(this.store.now()),
        })
        .execute(),
    );
    return this.get(id);
  }

  async get(id: string): Promise<DomainRef> {
    const row = await this.store.db.selectFrom('identity_domains').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw new NotFound(`Could not find domain: ${id}.`);
    return toRef(row);
  }

  async findByName(name: string): Promise<DomainRef | undefined> {
    const row = await this.store.db.selectFrom('identity_domains').selectAll().where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : toRef(row);
  }

  async list(filter: DomainFilter = {}): Promise<DomainRef[]> {
    let query = this.store.db.selectFrom('identity_domains').selectAll().orderBy('name');
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    if (filter.enabled !== undefined) query = query.where('enabled', '=', filter.enabled);
    return (await query.execute()).map(toRef);
  }

  async update(id: string, patch: DomainUpdate): Promise<DomainRef> {
    const current = await this.get(id);
    const name = patch.name?.trim() ?? current.name;
    await this.#storing(name, () =>
      this.store.db
        .updateTable('identity_domains')
        .set({
          name,
          description: patch.description === undefined ? current.description : patch.description,
          enabled: patch.enabled ?? current.enabled,
          tags: toJson(patch.tags ?? current.tags),
          extra: toJson(mergeExtra(current.extra, patch.extra)),
        })
        .where('id', '=', id)
        .execute(),
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
    await this.store.db.transaction().execute(async (trx) => {
      const inDomain = (table: 'identity_projects' | 'identity_users' | 'identity_groups' | 'identity_roles') =>
        trx.selectFrom(table).select('id').where('domain_id', '=', id);
      await trx
        .deleteFrom('identity_assignments')
        .where((eb) =>
          eb.or([
            eb('target_id', '=', id),
            eb('target_id', 'in', inDomain('identity_projects')),
            eb('actor_id', 'in', inDomain('identity_users')),
            eb('actor_id', 'in', inDomain('identity_groups')),
            eb('role_id', 'in', inDomain('identity_roles')),
          ]),
        )
        .execute();
      await trx
        .deleteFrom('identity_group_members')
        .where((eb) =>
          eb.or([eb('user_id', 'in', inDomain('identity_users')), eb('group_id', 'in', inDomain('identity_groups'))]),
        )
        .execute();
      await trx
        .deleteFrom('identity_implied_roles')
        .where((eb) =>
          eb.or([
            eb('prior_role_id', 'in', inDomain('identity_roles')),
            eb('implied_role_id', 'in', inDomain('identity_roles')),
          ]),
        )
        .execute();
      for (const table of ['identity_projects', 'identity_users', 'identity_groups', 'identity_roles'] as const) {
        await trx.deleteFrom(table).where('domain_id', '=', id).execute();
      }
      await trx.deleteFrom('identity_domains').where('id', '=', id).execute();
    });
    await this.store.events.domainDisabledOrDeleted(id);
  }

  /** Runs a write that may hit the unique name, turning that into Keystone's 409. */
  async #storing(name: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (!this.store.database.isUniqueViolation(error)) throw error;
      throw new Conflict(
        `Conflict occurred attempting to store project - it is not permitted to have two projects acting as domains with the same name: ${name}.`,
      );
    }
  }
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
