import type { Kysely } from 'kysely';

/**
 * Cinder's user messages: what went wrong in an asynchronous request, for the project that made
 * it (a volume that could not be placed, a failed backup). `frozen` of a volume service's
 * backend (os-services freeze/thaw) is kept beside, by backend host: the shared services table
 * belongs to every service.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('volume_messages')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('project_id', 'varchar(255)')
    .addColumn('request_id', 'varchar(255)')
    .addColumn('resource_type', 'varchar(36)')
    .addColumn('resource_uuid', 'varchar(255)')
    .addColumn('event_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('action_id', 'varchar(10)', (col) => col.notNull())
    .addColumn('detail_id', 'varchar(10)', (col) => col.notNull())
    .addColumn('message_level', 'varchar(255)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('expires_at', 'varchar(24)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('volume_messages_project_idx').on('volume_messages').column('project_id').execute();
  await db.schema
    .createTable('volume_frozen_backends')
    .addColumn('host', 'varchar(255)', (col) => col.primaryKey())
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('volume_frozen_backends').execute();
  await db.schema.dropTable('volume_messages').execute();
}
