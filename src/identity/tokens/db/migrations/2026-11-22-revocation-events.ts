import type { Kysely } from 'kysely';

/**
 * Keystone's `revocation_event` table, cut to the fields Nimbus revokes by. Timestamps are UTC
 * ISO-8601 text in varchar(24) (see common/db/timestamps.ts); every reader filters on
 * issued_before, hence its index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_revocation_events')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('audit_id', 'varchar(64)')
    .addColumn('user_id', 'varchar(64)')
    .addColumn('project_id', 'varchar(64)')
    .addColumn('domain_id', 'varchar(64)')
    .addColumn('issued_before', 'varchar(24)', (col) => col.notNull())
    .addColumn('revoked_at', 'varchar(24)', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('identity_revocation_events_issued_before_idx')
    .on('identity_revocation_events')
    .column('issued_before')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('identity_revocation_events').execute();
}
