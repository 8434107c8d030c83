import type { Kysely } from 'kysely';

/**
 * Cinder's volume_attachment: one row per attachment of a volume to an instance (reserved,
 * attaching, attached, detaching), with the host's connector and the connection the backend
 * returned as JSON text. A detached attachment is removed, not kept with a `deleted` flag.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('volume_attachments')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('volume_id', 'varchar(36)', (col) => col.notNull())
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('instance_uuid', 'varchar(36)')
    .addColumn('attached_host', 'varchar(255)')
    .addColumn('mountpoint', 'varchar(255)')
    .addColumn('attach_status', 'varchar(255)', (col) => col.notNull())
    .addColumn('attach_mode', 'varchar(36)', (col) => col.notNull())
    .addColumn('connector', 'text')
    .addColumn('connection_info', 'text')
    .addColumn('attach_time', 'varchar(24)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)')
    .execute();
  await db.schema.createIndex('volume_attachments_volume_idx').on('volume_attachments').column('volume_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('volume_attachments').execute();
}
