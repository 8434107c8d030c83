import type { Kysely } from 'kysely';

/** Keystone's revocation events may name a trust: deleting one revokes the tokens scoped to it. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('identity_revocation_events').addColumn('trust_id', 'varchar(64)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('identity_revocation_events').dropColumn('trust_id').execute();
}
