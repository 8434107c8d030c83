import type { Kysely } from 'kysely';

/**
 * Cinder's QoS specs: named key/value sets (specs as a JSON object, as volume types keep theirs)
 * for a consumer (front-end, back-end or both), and the volume types each is associated with (a
 * type has at most one).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('volume_qos_specs')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('name', 'varchar(255)', (col) => col.notNull().unique())
    .addColumn('consumer', 'varchar(16)', (col) => col.notNull())
    .addColumn('specs', 'text', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .execute();
  await db.schema
    .createTable('volume_qos_associations')
    .addColumn('volume_type_id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('qos_specs_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('volume_qos_associations_specs_idx').on('volume_qos_associations').column('qos_specs_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('volume_qos_associations').execute();
  await db.schema.dropTable('volume_qos_specs').execute();
}
