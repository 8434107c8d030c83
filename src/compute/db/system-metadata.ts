/**
 * An instance's system metadata (Nova's instance.system_metadata): key/value pairs the services
 * keep about an instance and users never set, e.g. shelve's shelved_image_id.
 */
import type { Kysely } from 'kysely';
import type { ComputeTables } from './tables.js';

/** Keys to set, or to remove (null). */
export type SystemMetadataChanges = Readonly<Record<string, string | null>>;

export async function readSystemMetadata(db: Kysely<ComputeTables>, uuid: string): Promise<Record<string, string>> {
  const rows = await db.selectFrom('compute_instance_system_metadata').select(['key', 'value']).where('instance_uuid', '=', uuid).execute();
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}

export async function writeSystemMetadata(db: Kysely<ComputeTables>, uuid: string, changes: SystemMetadataChanges): Promise<void> {
  const keys = Object.keys(changes);
  if (keys.length === 0) return;
  const rows = Object.entries(changes).flatMap(([key, value]) => (value === null ? [] : [{ instance_uuid: uuid, key, value }]));
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('compute_instance_system_metadata').where('instance_uuid', '=', uuid).where('key', 'in', keys).execute();
    if (rows.length > 0) await trx.insertInto('compute_instance_system_metadata').values(rows).execute();
  });
}
