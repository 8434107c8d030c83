import type { Kysely } from 'kysely';

/**
 * Cinder's quota_classes: a named class's limit per resource. The `default` class overrides the
 * configured quota_* defaults every project starts from; a resource the class leaves out keeps
 * the configured one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('volume_quota_classes')
    .addColumn('class_name', 'varchar(255)', (col) => col.notNull())
    .addColumn('resource', 'varchar(255)', (col) => col.notNull())
    .addColumn('hard_limit', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('volume_quota_classes_pkey', ['class_name', 'resource'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('volume_quota_classes').execute();
}
