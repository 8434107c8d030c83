import type { Kysely } from 'kysely';

/**
 * Cinder's volume_admin_metadata as a JSON text column of the volume: keys only the service and
 * administrators set (`readonly`, `attached_mode`), shown in the volume's metadata but not
 * changed through the metadata API. Existing volumes have none (`{}`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('volume_volumes').addColumn('admin_metadata', 'text', (col) => col.notNull().defaultTo('{}')).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('volume_volumes').dropColumn('admin_metadata').execute();
}
