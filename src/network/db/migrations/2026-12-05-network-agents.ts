import type { Kysely } from 'kysely';

/**
 * Neutron's agents table: one row per (agent type, host), kept current by the agents' state
 * reports. `down_reason` is why an agent that reports cannot serve (no CAP_NET_ADMIN, a missing
 * tool); null when it can.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('net_agents')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('agent_type', 'varchar(64)', (col) => col.notNull())
    .addColumn('binary', 'varchar(64)', (col) => col.notNull())
    .addColumn('topic', 'varchar(64)', (col) => col.notNull())
    .addColumn('host', 'varchar(255)', (col) => col.notNull())
    .addColumn('availability_zone', 'varchar(255)')
    .addColumn('admin_state_up', 'boolean', (col) => col.notNull())
    .addColumn('description', 'varchar(255)', (col) => col.notNull())
    .addColumn('configurations', 'text', (col) => col.notNull())
    .addColumn('down_reason', 'varchar(255)')
    .addColumn('created_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('started_at', 'varchar(24)', (col) => col.notNull())
    .addColumn('heartbeat_timestamp', 'varchar(24)', (col) => col.notNull())
    .addUniqueConstraint('net_agents_type_host_key', ['agent_type', 'host'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('net_agents').execute();
}
