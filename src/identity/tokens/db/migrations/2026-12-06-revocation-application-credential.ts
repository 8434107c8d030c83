import type { Kysely } from 'kysely';

/** Keystone's revocation events may name an application credential: deleting one revokes its tokens. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('identity_revocation_events').addColumn('application_credential_id', 'varchar(64)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('identity_revocation_events').dropColumn('application_credential_id').execute();
}
