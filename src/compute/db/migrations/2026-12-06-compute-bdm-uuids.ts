import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';

/** Nova's block_device_mapping.uuid (shown as a volume attachment's bdm_uuid from 2.89); existing rows get one each. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('compute_block_device_mappings').addColumn('uuid', 'varchar(36)').execute();
  const table = db.withTables<{ compute_block_device_mappings: { id: number; uuid: string | null } }>();
  const rows = await table.selectFrom('compute_block_device_mappings').select('id').execute();
  for (const row of rows) await table.updateTable('compute_block_device_mappings').set({ uuid: randomUUID() }).where('id', '=', row.id).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('compute_block_device_mappings').dropColumn('uuid').execute();
}
