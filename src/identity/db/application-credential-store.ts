import type { Insertable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { EntityTable, uniqueOrConflict, type EntityRow } from './entity-table.js';
import type { ApplicationCredentialsTable } from './tables.js';

export type ApplicationCredentialRow = EntityRow<'identity_application_credentials'>;

export interface ApplicationCredentialRowFilter {
  readonly user_id: string;
  readonly name?: string;
}

/** identity_application_credentials and the roles each may use (identity_application_credential_roles). */
export class ApplicationCredentialStore extends EntityTable<'identity_application_credentials'> {
  constructor(database: Database) {
    super(database, 'identity_application_credentials', 'Application Credential');
  }

  /** The credential and its roles in one transaction; a name the user already uses is `duplicate`'s 409. */
  async insertWithRoles(row: Insertable<ApplicationCredentialsTable>, roleIds: readonly string[], duplicate: () => string): Promise<void> {
    await uniqueOrConflict(
      this.database,
      () =>
        this.db.transaction().execute(async (trx) => {
          await trx.insertInto('identity_application_credentials').values(row).execute();
          if (roleIds.length === 0) return;
          const roles = roleIds.map((roleId) => ({ application_credential_id: row.id, role_id: roleId }));
          await trx.insertInto('identity_application_credential_roles').values(roles).execute();
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

  /** Deletes the credentials (with their roles) of the user, or of the user on one project; returns their ids. */
  async deleteOfUser(userId: string, projectId?: string): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      let query = trx.selectFrom('identity_application_credentials').select('id').where('user_id', '=', userId);
      if (projectId !== undefined) query = query.where('project_id', '=', projectId);
      const ids = (await query.execute()).map((row) => row.id);
      if (ids.length === 0) return ids;
      await trx.deleteFrom('identity_application_credential_roles').where('application_credential_id', 'in', ids).execute();
      await trx.deleteFrom('identity_application_credentials').where('id', 'in', ids).execute();
      return ids;
    });
  }

  /** Deletes one credential with its roles. */
  override async delete(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('identity_application_credential_roles').where('application_credential_id', '=', id).execute();
      await trx.deleteFrom('identity_application_credentials').where('id', '=', id).execute();
    });
  }
}
