import type { Kysely } from 'kysely';

/**
 * The zone a server was asked into (Nova keeps it in RequestSpec.availability_zone), apart from
 * availability_zone, which now names the zone of the host the server was placed on. Existing rows
 * hold the asked zone in availability_zone: it is copied.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('compute_instances').addColumn('requested_availability_zone', 'varchar(255)').execute();
  const table = db.withTables<{ compute_instances: { availability_zone: string | null; requested_availability_zone: string | null } }>();
  await table.updateTable('compute_instances').set((eb) => ({ requested_availability_zone: eb.ref('availability_zone') })).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('compute_instances').dropColumn('requested_availability_zone').execute();
}
