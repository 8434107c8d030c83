import type { Insertable, Transaction } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { EntityTable, uniqueOrConflict, type EntityRow } from './entity-table.js';
import type { AccessRulesTable, ApplicationCredentialsTable, IdentityTables } from './tables.js';

export type ApplicationCredentialRow = EntityRow<'identity_application_credentials'>;
export type AccessRuleRow = EntityRow<'identity_access_rules'>;

/** A rule a new credential asks for: by the id of one of the user's rules, or by what it allows. */
export type AccessRuleRequest = Omit<AccessRulesTable, 'user_id'>;

export interface AccessRuleRowFilter {
  readonly user_id: string;
  readonly service?: string;
  readonly path?: string;
  readonly method?: string;
}

export interface ApplicationCredentialRowFilter {
  readonly user_id: string;
  readonly name?: string;
}

/**
 * identity_application_credentials, the roles each may use (identity_application_credential_roles)
 * and the access rules that limit their tokens (identity_access_rules, linked by
 * identity_application_credential_access_rules), as Keystone's application credential backend.
 */
export class ApplicationCredentialStore extends EntityTable<'identity_application_credentials'> {
  constructor(database: Database) {
    super(database, 'identity_application_credentials', 'Application Credential');
  }

  /**
   * The credential, its roles and its access rules in one transaction; a name the user already uses
   * is `duplicate`'s 409. Each rule is the user's rule of that id, else the user's rule allowing the
   * same call, else a new rule of the user's.
   */
  async insertWithRoles(
    row: Insertable<ApplicationCredentialsTable>,
    roleIds: readonly string[],
    accessRules: readonly AccessRuleRequest[],
    duplicate: () => string,
  ): Promise<void> {
    await uniqueOrConflict(
      this.database,
      () =>
        this.db.transaction().execute(async (trx) => {
          await trx.insertInto('identity_application_credentials').values(row).execute();
          if (roleIds.length > 0) {
            const roles = roleIds.map((roleId) => ({ application_credential_id: row.id, role_id: roleId }));
            await trx.insertInto('identity_application_credential_roles').values(roles).execute();
          }
          const ruleIds = new Set<string>();
          for (const rule of accessRules) {
            const existing = await trx
              .selectFrom('identity_access_rules')
              .select('id')
              .where('user_id', '=', row.user_id)
              .where((eb) =>
                eb.or([eb('id', '=', rule.id), eb.and([eb('service', '=', rule.service), eb('path', '=', rule.path), eb('method', '=', rule.method)])]),
              )
              .orderBy('id')
              .executeTakeFirst();
            if (existing === undefined) await trx.insertInto('identity_access_rules').values({ ...rule, user_id: row.user_id }).execute();
            ruleIds.add(existing?.id ?? rule.id);
          }
          if (ruleIds.size === 0) return;
          const links = [...ruleIds].map((ruleId) => ({ application_credential_id: row.id, access_rule_id: ruleId }));
          await trx.insertInto('identity_application_credential_access_rules').values(links).execute();
        }),
      duplicate,
    );
  }

  findByName(userId: string, name: string): Promise<ApplicationCredentialRow | undefined> {
    return this.db
      .selectFrom('identity_application_credentials')
      .selectAll()
      .where('user_id', '=', userId)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  list(filter: ApplicationCredentialRowFilter): Promise<ApplicationCredentialRow[]> {
    return this.listMatching(filter, ['user_id', 'name'], ['name', 'id']);
  }

  /** The role ids of each credential asked about. */
  async roleIds(ids: readonly string[]): Promise<Map<string, string[]>> {
    const byCredential = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byCredential;
    const rows = await this.db
      .selectFrom('identity_application_credential_roles')
      .selectAll()
      .where('application_credential_id', 'in', ids)
      .orderBy('role_id')
      .execute();
    for (const row of rows) byCredential.get(row.application_credential_id)?.push(row.role_id);
    return byCredential;
  }

  /** The access rules of each credential asked about. */
  async accessRules(ids: readonly string[]): Promise<Map<string, AccessRuleRow[]>> {
    const byCredential = new Map<string, AccessRuleRow[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byCredential;
    const rows = await this.db
      .selectFrom('identity_application_credential_access_rules as link')
      .innerJoin('identity_access_rules as rule', 'rule.id', 'link.access_rule_id')
      .select(['link.application_credential_id', 'rule.id', 'rule.user_id', 'rule.service', 'rule.path', 'rule.method'])
      .where('link.application_credential_id', 'in', ids)
      .orderBy('rule.id')
      .execute();
    for (const { application_credential_id: credentialId, ...rule } of rows) byCredential.get(credentialId)?.push(rule);
    return byCredential;
  }

  /** The user's access rules, narrowed by the filter's service, path and method. */
  listAccessRules(filter: AccessRuleRowFilter): Promise<AccessRuleRow[]> {
    let query = this.db.selectFrom('identity_access_rules').selectAll().where('user_id', '=', filter.user_id);
    if (filter.service !== undefined) query = query.where('service', '=', filter.service);
    if (filter.path !== undefined) query = query.where('path', '=', filter.path);
    if (filter.method !== undefined) query = query.where('method', '=', filter.method);
    return query.orderBy('id').execute();
  }

  findAccessRule(id: string): Promise<AccessRuleRow | undefined> {
    return this.db.selectFrom('identity_access_rules').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Deletes the rule unless a credential still uses it (then nothing changes): whether it was deleted. */
  async deleteAccessRule(id: string): Promise<'deleted' | 'in use'> {
    return this.db.transaction().execute(async (trx) => {
      const use = await trx.selectFrom('identity_application_credential_access_rules').select('access_rule_id').where('access_rule_id', '=', id).executeTakeFirst();
      if (use !== undefined) return 'in use';
      await trx.deleteFrom('identity_access_rules').where('id', '=', id).execute();
      return 'deleted';
    });
  }

  /**
   * Deletes the credentials (with their roles and rule links) of the user, or of the user on one
   * project; the user's access rules go too when the user goes (no project given). Returns the
   * credentials' ids.
   */
  async deleteOfUser(userId: string, projectId?: string): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      let query = trx.selectFrom('identity_application_credentials').select('id').where('user_id', '=', userId);
      if (projectId !== undefined) query = query.where('project_id', '=', projectId);
      const ids = (await query.execute()).map((row) => row.id);
      if (ids.length > 0) await deleteCredentials(trx, ids);
      if (projectId === undefined) await trx.deleteFrom('identity_access_rules').where('user_id', '=', userId).execute();
      return ids;
    });
  }

  /** Deletes one credential with its roles and rule links; its access rules stay the user's. */
  override async delete(id: string): Promise<void> {
    await this.db.transaction().execute((trx) => deleteCredentials(trx, [id]));
  }
}

async function deleteCredentials(trx: Transaction<IdentityTables>, ids: readonly string[]): Promise<void> {
  await trx.deleteFrom('identity_application_credential_roles').where('application_credential_id', 'in', ids).execute();
  await trx.deleteFrom('identity_application_credential_access_rules').where('application_credential_id', 'in', ids).execute();
  await trx.deleteFrom('identity_application_credentials').where('id', 'in', ids).execute();
}
