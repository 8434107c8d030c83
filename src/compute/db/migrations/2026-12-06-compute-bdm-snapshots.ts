import type { Kysely } from 'kysely';

/**
 * Nova's block_device_mapping.snapshot_id: the volume snapshot a boot volume is created from
 * (source_type snapshot), kept until the compute host has made the volume.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('compute_block_device_mappings').addColumn('snapshot_id', 'varchar(36)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('compute_block_device_mappings').dropColumn('snapshot_id').execute();
}
