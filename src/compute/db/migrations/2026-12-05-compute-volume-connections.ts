import type { Kysely } from 'kysely';

/**
 * Nova's block_device_mapping.connection_info: the connection Cinder gave the host when the volume
 * was attached (JSON text), so the guest can be started, rebooted or moved with its volumes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('compute_block_device_mappings').addColumn('connection_info', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('compute_block_device_mappings').dropColumn('connection_info').execute();
}
