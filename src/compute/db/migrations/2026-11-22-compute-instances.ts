import type { Kysely } from 'kysely';

/**
 * Nova's instance tables (nova/db/main/models.py), prefixed `compute_`. Instances are keyed by
 * uuid and soft-deleted as Nova does (`deleted` + `deleted_at`), so `server show` of a deleted
 * server and `changes-since` listings still find them. The flavor is a JSON snapshot
 * (`{"cur", "old", "new"}`, old/new during a resize); vcpus, memory_mb and root_gb repeat the
 * current flavor as columns so quota usage is one SUM. Times are varchar(24) UTC ISO-8601
 * (common/db/timestamps.ts). Faults, actions and events have integer ids, as Nova's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('compute_instances')
    .addColumn('uuid', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('project_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('user_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('display_name', 'varchar(255)', (col) => col.notNull())
    .addColumn('display_description', 'text')
    .addColumn('hostname', 'varchar(255)', (col) => col.notNull())
    .addColumn('image_ref', 'varchar(255)', (col) => col.notNull())
    .addColumn('flavor_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('flavor', 'text', (col) => col.notNull())
    .addColumn('vcpus', 'integer', (col) => col.notNull())
    .addColumn('memory_mb', 'integer', (col) => col.notNull())
    .addColumn('root_gb', 'integer', (col) => col.notNull())
    .addColumn('ephemeral_gb', 'integer', (col) => col.notNull())
    .addColumn('vm_state', 'varchar(255)', (col) => col.notNull())
    .addColumn('task_state', 'varchar(255)')
    .addColumn('power_state', 'integer', (col) => col.notNull())
    .addColumn('host', 'varchar(255)')
    .addColumn('node', 'varchar(255)')
    .addColumn('availability_zone', 'varchar(255)')
    .addColumn('reservation_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('launch_index', 'integer', (col) => col.notNull())
    .addColumn('root_device_name', 'varchar(255)')
    .addColumn('kernel_id', 'varchar(255)')
    .addColumn('ramdisk_id', 'varchar(255)')
    .addColumn('launched_at', 'varchar(24)')
    .addColumn('terminated_at', 'varchar(24)')
    .addColumn('locked', 'boolean', (col) => col.notNull())
    .addColumn('locked_by', 'varchar(5)')
    .addColumn('locked_reason', 'text')
    .addColumn('key_name', 'varchar(255)')
    .addColumn('key_data', 'text')
    .addColumn('user_data', 'text')
    .addColumn('config_drive', 'varchar(255)', (col) => col.notNull())
    .addColumn('access_ip_v4', 'varchar(39)')
    .addColumn('access_ip_v6', 'varchar(39)')
    .addColumn('progress', 'integer')
    .addColumn('deleted', 'boolean', (col) => col.notNull())
    .addColumn('deleted_at', 'varchar(24)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('compute_instances_project_idx').on('compute_instances').columns(['project_id', 'deleted']).execute();
  await db.schema.createIndex('compute_instances_host_idx').on('compute_instances').columns(['host', 'deleted']).execute();
  await db.schema.createIndex('compute_instances_updated_idx').on('compute_instances').column('updated_at').execute();

  await db.schema
    .createTable('compute_instance_metadata')
    .addColumn('instance_uuid', 'varchar(36)', (col) => col.notNull())
    .addColumn('key', 'varchar(255)', (col) => col.notNull())
    .addColumn('value', 'varchar(255)', (col) => col.notNull())
    .addPrimaryKeyConstraint('compute_instance_metadata_pkey', ['instance_uuid', 'key'])
    .execute();

  await db.schema
    .createTable('compute_instance_system_metadata')
    .addColumn('instance_uuid', 'varchar(36)', (col) => col.notNull())
    .addColumn('key', 'varchar(255)', (col) => col.notNull())
    .addColumn('value', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('compute_instance_system_metadata_pkey', ['instance_uuid', 'key'])
    .execute();

  await db.schema
    .createTable('compute_instance_tags')
    .addColumn('instance_uuid', 'varchar(36)', (col) => col.notNull())
    .addColumn('tag', 'varchar(60)', (col) => col.notNull())
    .addPrimaryKeyConstraint('compute_instance_tags_pkey', ['instance_uuid', 'tag'])
    .execute();

  await db.schema
    .createTable('compute_instance_faults')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('instance_uuid', 'varchar(36)', (col) => col.notNull())
    .addColumn('code', 'integer', (col) => col.notNull())
    .addColumn('message', 'varchar(255)', (col) => col.notNull())
    .addColumn('details', 'text')
    .addColumn('host', 'varchar(255)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('compute_instance_faults_instance_idx').on('compute_instance_faults').column('instance_uuid').execute();

  await db.schema
    .createTable('compute_instance_actions')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('instance_uuid', 'varchar(36)', (col) => col.notNull())
    .addColumn('action', 'varchar(255)', (col) => col.notNull())
    .addColumn('request_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('user_id', 'varchar(255)')
    .addColumn('project_id', 'varchar(255)')
    .addColumn('start_time', 'varchar(24)', (col) => col.notNull())
    .addColumn('finish_time', 'varchar(24)')
    .addColumn('message', 'varchar(255)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(24)', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('compute_instance_actions_request_idx')
    .on('compute_instance_actions')
    .columns(['instance_uuid', 'request_id'])
    .execute();

  await db.schema
    .createTable('compute_instance_action_events')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('action_id', 'integer', (col) => col.notNull())
    .addColumn('event', 'varchar(255)', (col) => col.notNull())
    .addColumn('start_time', 'varchar(24)', (col) => col.notNull())
    .addColumn('finish_time', 'varchar(24)')
    .addColumn('result', 'varchar(255)')
    .addColumn('traceback', 'text')
    .addColumn('host', 'varchar(255)')
    .addColumn('details', 'text')
    .execute();
  await db.schema.createIndex('compute_instance_action_events_action_idx').on('compute_instance_action_events').column('action_id').execute();

  await db.schema
    .createTable('compute_block_device_mappings')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('instance_uuid', 'varchar(36)', (col) => col.notNull())
    .addColumn('source_type', 'varchar(255)', (col) => col.notNull())
    .addColumn('destination_type', 'varchar(255)', (col) => col.notNull())
    .addColumn('device_name', 'varchar(255)')
    .addColumn('boot_index', 'integer')
    .addColumn('image_id', 'varchar(36)')
    .addColumn('volume_id', 'varchar(36)')
    .addColumn('volume_size', 'integer')
    .addColumn('delete_on_termination', 'boolean', (col) => col.notNull())
    .addColumn('attachment_id', 'varchar(36)')
    .addColumn('tag', 'varchar(255)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('compute_block_device_mappings_instance_idx').on('compute_block_device_mappings').column('instance_uuid').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'compute_block_device_mappings',
    'compute_instance_action_events',
    'compute_instance_actions',
    'compute_instance_faults',
    'compute_instance_tags',
    'compute_instance_system_metadata',
    'compute_instance_metadata',
    'compute_instances',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
