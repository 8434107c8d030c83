import type { Kysely } from 'kysely';

/**
 * Nova's instance_info_caches: each instance's network info (its ports as the compute agent bound
 * them: MAC, bridge, fixed and floating IPs), the source of a server's `addresses` and of the
 * guest's NICs at every start. One row per instance, written by the conductor for its agent.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('compute_instance_info_caches')
    .addColumn('instance_uuid', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('network_info', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('compute_instance_info_caches').execute();
}
