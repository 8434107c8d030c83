import type { Kysely } from 'kysely';

/**
 * The per-request trace behind Nimbus's request timeline: steps a request took that are not
 * instance action events (the API's own, the scheduler's answer), each with its service, host,
 * times and result. One row per step, looked up by request id.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('compute_request_steps')
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('request_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('instance_uuid', 'varchar(36)')
    .addColumn('service', 'varchar(64)', (col) => col.notNull())
    .addColumn('host', 'varchar(255)', (col) => col.notNull())
    .addColumn('step', 'varchar(255)', (col) => col.notNull())
    .addColumn('start_time', 'varchar(24)', (col) => col.notNull())
    .addColumn('finish_time', 'varchar(24)')
    .addColumn('result', 'varchar(32)')
    .addColumn('details', 'varchar(255)')
    .execute();
  await db.schema.createIndex('compute_request_steps_request_idx').on('compute_request_steps').column('request_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('compute_request_steps').execute();
}
