/**
 * Test-only helpers for compute: a fresh, migrated database of each engine, a row factory for
 * instances, and request contexts for the personas.
 */
import { randomUUID } from 'node:crypto';
import { withOpenDatabase, withTestDatabase } from '../../../../test/support/databases.js';
import type { RequestContext } from '../../../common/context/request-context.js';
import type { Database } from '../../../common/db/database.js';
import type { DialectName } from '../../../common/db/engine.js';
import { migrateToLatest } from '../../../common/db/migrator.js';
import { computeMigrations } from '../migrations/index.js';
import type { ComputeTables, InstancesTable } from '../tables.js';

/** The cloud administrator, in a project of their own. */
export const ADMIN: RequestContext = { requestId: 'req-admin', userId: 'admin', projectId: 'admin-project', roles: ['admin', 'member', 'reader'], isAdmin: true };

/** A member (and reader) of `project`, as user `user-of-<project>`. */
export function memberOf(project: string): RequestContext {
  return { requestId: `req-${project}`, userId: `user-of-${project}`, projectId: project, roles: ['member', 'reader'], isAdmin: false };
}

/** A reader-only user of `project`. */
export function readerOf(project: string): RequestContext {
  return { ...memberOf(project), userId: `reader-of-${project}`, roles: ['reader'] };
}

/** Runs fn with a migrated compute database of the engine, removed afterwards. */
export function withComputeDb(dialect: DialectName, fn: (db: Database) => Promise<void>): Promise<void> {
  return withTestDatabase(dialect, (url) =>
    withOpenDatabase(url, async (db) => {
      await migrateToLatest(db, computeMigrations);
      await fn(db);
    }),
  );
}

/** The m1.tiny snapshot an inserted instance carries (its flavor JSON's `cur`). */
const M1_TINY = {
  flavorid: '1', name: 'm1.tiny', vcpus: 1, memory_mb: 128, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1,
  is_public: true, disabled: false, description: null, extra_specs: {},
};

/** Inserts an ACTIVE, running m1.tiny instance of `project` (fields overridable) and returns its uuid. */
export async function insertInstance(db: Database, project: string, overrides: Partial<InstancesTable> = {}): Promise<string> {
  const uuid = overrides.uuid ?? randomUUID();
  const now = '2026-11-24T10:00:00.000Z';
  await db.kysely
    .withTables<ComputeTables>()
    .insertInto('compute_instances')
    .values({
      uuid,
      project_id: project,
      user_id: `user-of-${project}`,
      display_name: 'vm',
      display_description: null,
      hostname: 'vm',
      image_ref: randomUUID(),
      flavor_id: '1',
      flavor: JSON.stringify({ cur: M1_TINY, old: null, new: null }),
      vcpus: 1,
      memory_mb: 128,
      root_gb: 1,
      ephemeral_gb: 0,
      vm_state: 'active',
      task_state: null,
      power_state: 1,
      host: 'compute-1',
      node: 'compute-1',
      availability_zone: 'nova',
      reservation_id: 'r-00000001',
      launch_index: 0,
      root_device_name: '/dev/vda',
      kernel_id: null,
      ramdisk_id: null,
      launched_at: now,
      terminated_at: null,
      locked: false,
      locked_by: null,
      locked_reason: null,
      key_name: null,
      key_data: null,
      user_data: null,
      config_drive: '',
      access_ip_v4: null,
      access_ip_v6: null,
      progress: 0,
      deleted: false,
      deleted_at: null,
      created_at: now,
      updated_at: now,
      ...overrides,
    })
    .execute();
  return uuid;
}
