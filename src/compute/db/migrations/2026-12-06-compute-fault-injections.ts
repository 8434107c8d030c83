import type { Kysely } from 'kysely';

/**
 * Nimbus's failure injection for testers (/v2.1/nimbus/faults): one row per injection into a host's
 * compute agent, kept after it ends (with when and why) so the admin can see what was rehearsed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('compute_fault_injections')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('host', 'varchar(255)', (col) => col.notNull())
    .addColumn('kind', 'varchar(32)', (col) => col.notNull())
    .addColumn('operation', 'varchar(64)')
    .addColumn('instance_uuid', 'varchar(36)')
    .addColumn('delay_ms', 'integer')
    .addColumn('remaining', 'integer')
    .addColumn('expires_at', 'varchar(24)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('request_id', 'varchar(255)')
    .addColumn('user_id', 'varchar(255)')
    .addColumn('ended_at', 'varchar(24)')
    .addColumn('end_reason', 'varchar(16)')
    .execute();
  await db.schema.createIndex('compute_fault_injections_host_idx').on('compute_fault_injections').columns(['host', 'ended_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('compute_fault_injections').execute();
}
