import type { Kysely } from 'kysely';

/**
 * What an extend or a retype in progress holds of the project's quota (Cinder reserves it at the
 * request and commits or rolls back at the end): the gigabytes an extend adds, counted while the
 * volume is `extending`, and the type a retype goes to, whose own resources count the volume while
 * it is `retyping`. Leaving that status (done, failed, reset) gives the reservation back by itself.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('volume_volumes').addColumn('extending_gb', 'integer', (col) => col.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('volume_volumes').addColumn('retyping_type_id', 'varchar(36)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('volume_volumes').dropColumn('retyping_type_id').execute();
  await db.schema.alterTable('volume_volumes').dropColumn('extending_gb').execute();
}
