import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Database } from '../../../common/db/database.js';
import { NodeStore } from '../../db/node-store.js';
import { ADMIN, insertInstance, memberOf } from '../../db/testing/compute-db.js';
import type { ComputeTables } from '../../db/tables.js';
import { MigrationStore } from '../../db/migration-store.js';
import { MigrationStatus, MigrationType, type MigrationRow } from '../../moves/migration.js';
import { FakeDriver } from '../../virt/fake/index.js';
import { withComputeApp, type Call } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');
const OTHER = memberOf('other');

function live(fields: Record<string, unknown>) {
  return { 'os-migrateLive': fields };
}
const V2_1 = live({ block_migration: false, disk_over_commit: false, host: null });

/** Compute nodes as their agents' first resource reports create them. */
async function addNodes(db: Database, ...hosts: string[]): Promise<void> {
  for (const host of hosts) await new NodeStore(db).upsert(host, await new FakeDriver({ host }).getAvailableResource());
}

async function row(db: Database, uuid: string) {
  return db.kysely.withTables<ComputeTables>().selectFrom('compute_instances').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
}

function liveMigration(db: Database, uuid: string, status: MigrationStatus, type: MigrationType = MigrationType.LIVE_MIGRATION): Promise<MigrationRow> {
  return new MigrationStore(db).create({ instanceUuid: uuid, type, status, sourceCompute: 'compute-1', sourceNode: 'compute-1', destCompute: 'compute-2', destNode: 'compute-2', userId: 'admin', projectId: 'admin-project' });
}

async function migrate(call: Call, id: string, body: unknown, version?: string) {
  return call('POST', `/servers/${id}/action`, { body, ...(version === undefined ? {} : { version }) });
}

describe('compute routes: live migration', () => {
  test('os-migrateLive at 2.1: task migrating, an accepted live-migration record, the action, and the conductor waited on with the zone asked at boot', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo', { requested_availability_zone: 'az-a' });
      const reply = await migrate(call, id, V2_1);
      assert.equal(reply.status, 202, JSON.stringify(reply.json));
      assert.equal((await row(db, id)).task_state, 'migrating');
      const shown = (await call('GET', `/servers/${id}`)).json['server'] as Record<string, unknown>;
      assert.equal(shown['status'], 'MIGRATING');
      const [migration] = await new MigrationStore(db).list({ instanceUuid: id });
      assert.deepEqual(
        [migration?.migration_type, migration?.status, migration?.source_compute, migration?.source_node, migration?.dest_compute, migration?.old_flavor_id],
        ['live-migration', 'accepted', 'compute-1', 'compute-1', null, '1'],
      );
      assert.deepEqual(recorded.liveMigrations, [{ request: { instanceUuid: id, migrationId: migration?.id, host: null, force: false, blockMigration: false, availabilityZone: 'az-a' }, wait: true }]);
      const actions = (await call('GET', `/servers/${id}/os-instance-actions`)).json['instanceActions'] as { action: string }[];
      assert.deepEqual(actions.map((action) => action.action), ['live-migration']);
      const again = await migrate(call, id, V2_1);
      assert.deepEqual(again.json, { conflictingRequest: { code: 409, message: `Cannot 'os-migrateLive' instance ${id} while it is in task_state migrating` } });
    }));

  test('the body follows the microversion: disk_over_commit until 2.24, auto from 2.25, force 2.30–2.67, async from 2.34', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      await addNodes(db, 'compute-2');
      const refused: [unknown, string, RegExp][] = [
        [live({ block_migration: false, host: null }), '2.1', /'disk_over_commit' is a required property/],
        [live({ block_migration: 'auto', disk_over_commit: false, host: null }), '2.24', /is not one of/],
        [live({ block_migration: 'auto', disk_over_commit: false, host: null }), '2.25', /Additional properties are not allowed \('disk_over_commit' was unexpected\)/],
        [live({ block_migration: 'auto', host: null, force: true }), '2.29', /Additional properties are not allowed \('force' was unexpected\)/],
        [live({ block_migration: 'auto', host: null, force: true }), '2.30', /^Can't force to a non-provided destination$/],
        [live({ block_migration: 'auto', host: 'compute-2', force: true }), '2.68', /Additional properties are not allowed \('force' was unexpected\)/],
        [live({ block_migration: 'maybe', host: null }), '2.30', /is not one of/],
        [live({ block_migration: 'auto', host: 'no/such' }), '2.30', /does not match/],
      ];
      for (const [body, version, message] of refused) {
        const id = await insertInstance(db, 'demo');
        const reply = await migrate(call, id, body, version);
        assert.equal(reply.status, 400, `${version} ${JSON.stringify(body)}`);
        assert.match(String((reply.json['badRequest'] as { message?: string } | undefined)?.message), message);
        assert.equal((await row(db, id)).task_state, null);
      }
      assert.equal(recorded.liveMigrations.length, 0);
      const accepted: [unknown, string, { host: string | null; force: boolean; blockMigration: boolean | null }, boolean][] = [
        [live({ block_migration: true, disk_over_commit: false, host: 'compute-2' }), '2.1', { host: 'compute-2', force: true, blockMigration: true }, true],
        [live({ block_migration: 'auto', host: null }), '2.25', { host: null, force: false, blockMigration: null }, true],
        [live({ block_migration: 'auto', host: 'compute-2' }), '2.30', { host: 'compute-2', force: false, blockMigration: null }, true],
        [live({ block_migration: 'False', host: 'compute-2', force: 'yes' }), '2.34', { host: 'compute-2', force: true, blockMigration: false }, false],
        [live({ block_migration: 'auto', host: 'compute-2' }), '2.68', { host: 'compute-2', force: false, blockMigration: null }, false],
      ];
      for (const [body, version, expected, wait] of accepted) {
        const id = await insertInstance(db, 'demo');
        assert.equal((await migrate(call, id, body, version)).status, 202, `${version} ${JSON.stringify(body)}`);
        const last = recorded.liveMigrations.at(-1);
        assert.ok(last, 'no live migration recorded');
        assert.deepEqual([last.request.host, last.request.force, last.request.blockMigration, last.wait], [expected.host, expected.force, expected.blockMigration, wait], version);
      }
    }));

  test('refusals: an unknown host is 400, a stopped server 409, members 403, another project 404; nothing changes', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo');
      const unknown = await migrate(call, id, live({ block_migration: false, disk_over_commit: false, host: 'nowhere' }));
      assert.deepEqual(unknown.json, { badRequest: { code: 400, message: 'Compute host nowhere could not be found.' } });
      const stopped = await insertInstance(db, 'demo', { vm_state: 'stopped', power_state: 4 });
      const conflict = await migrate(call, stopped, V2_1);
      assert.deepEqual(conflict.json, { conflictingRequest: { code: 409, message: `Cannot 'os-migrateLive' instance ${stopped} while it is in vm_state stopped` } });
      assert.equal((await call('POST', `/servers/${id}/action`, { body: V2_1, as: DEMO })).status, 403);
      assert.equal((await call('POST', `/servers/${id}/action`, { body: V2_1, as: OTHER })).status, 404);
      assert.equal((await row(db, id)).task_state, null);
      assert.deepEqual(await new MigrationStore(db).list(), []);
      assert.deepEqual(recorded.liveMigrations, []);
    }));

  test('servers/{id}/migrations (2.23): the in-progress live migrations only, fields by microversion', () =>
    withComputeApp(async ({ call, db }) => {
      const id = await insertInstance(db, 'demo', { task_state: 'migrating' });
      const running = await liveMigration(db, id, MigrationStatus.RUNNING);
      const done = await liveMigration(db, id, MigrationStatus.COMPLETED);
      const resize = await liveMigration(db, id, MigrationStatus.MIGRATING, MigrationType.RESIZE);
      assert.equal((await call('GET', `/servers/${id}/migrations`, { version: '2.22' })).status, 404);
      const listed = await call('GET', `/servers/${id}/migrations`, { version: '2.23' });
      const migrations = listed.json['migrations'] as Record<string, unknown>[];
      assert.deepEqual(migrations.map((migration) => migration['id']), [running.id]);
      assert.deepEqual(Object.keys(migrations[0] ?? {}).sort(), [
        'created_at', 'dest_compute', 'dest_host', 'dest_node', 'disk_processed_bytes', 'disk_remaining_bytes', 'disk_total_bytes', 'id',
        'memory_processed_bytes', 'memory_remaining_bytes', 'memory_total_bytes', 'server_uuid', 'source_compute', 'source_node', 'status', 'updated_at',
      ]);
      assert.deepEqual([migrations[0]?.['server_uuid'], migrations[0]?.['status'], migrations[0]?.['dest_compute']], [id, 'running', 'compute-2']);
      assert.match(String(migrations[0]?.['created_at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      const at280 = (await call('GET', `/servers/${id}/migrations/${running.id}`, { version: '2.80' })).json['migration'] as Record<string, unknown>;
      assert.deepEqual([at280['uuid'], at280['user_id'], at280['project_id']], [running.uuid, 'admin', 'admin-project']);
      const at259 = (await call('GET', `/servers/${id}/migrations/${running.id}`, { version: '2.59' })).json['migration'] as Record<string, unknown>;
      assert.deepEqual([at259['uuid'], 'user_id' in at259], [running.uuid, false]);
      const notFound: [string | number, string][] = [
        [done.id, `Live migration ${done.id} for server ${id} is not in progress.`],
        [resize.id, `Migration ${resize.id} for server ${id} is not live-migration.`],
        [9999, `In-progress live migration 9999 is not found for server ${id}.`],
      ];
      for (const [migrationId, message] of notFound) {
        assert.deepEqual((await call('GET', `/servers/${id}/migrations/${migrationId}`, { version: '2.23' })).json, { itemNotFound: { code: 404, message } });
      }
      assert.equal((await call('GET', `/servers/${id}/migrations`, { version: '2.23', as: DEMO })).status, 403);
    }));

  test('force-complete (2.22) reaches the source only for a running live migration of an ACTIVE migrating server', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo', { task_state: 'migrating' });
      const running = await liveMigration(db, id, MigrationStatus.RUNNING);
      const queued = await liveMigration(db, id, MigrationStatus.QUEUED);
      const force = (migrationId: string | number, version = '2.22') => call('POST', `/servers/${id}/migrations/${migrationId}/action`, { body: { force_complete: null }, version });
      assert.equal((await force(running.id, '2.21')).status, 404);
      assert.deepEqual((await force(queued.id)).json, {
        badRequest: { code: 400, message: `Migration ${queued.id} state of instance ${id} is queued. Cannot force complete while the migration is in this state.` },
      });
      assert.deepEqual((await force(4242)).json, { badRequest: { code: 400, message: `Migration 4242 not found for instance ${id}` } });
      assert.equal((await call('POST', `/servers/${id}/migrations/${running.id}/action`, { body: { force_complete: null }, version: '2.22', as: DEMO })).status, 403);
      assert.deepEqual(recorded.agent, []);
      assert.equal((await force(running.id)).status, 202);
      assert.deepEqual(recorded.agent, [{ verb: 'live_migration_force_complete', host: 'compute-1', args: { instanceUuid: id, migrationId: running.id } }]);
      const actions = (await call('GET', `/servers/${id}/os-instance-actions`)).json['instanceActions'] as { action: string }[];
      assert.equal(actions[0]?.action, 'live_migration_force_complete');
      const idle = await insertInstance(db, 'demo');
      const idleMigration = await liveMigration(db, idle, MigrationStatus.RUNNING);
      const conflict = await call('POST', `/servers/${idle}/migrations/${idleMigration.id}/action`, { body: { force_complete: null }, version: '2.22' });
      assert.deepEqual(conflict.json, { conflictingRequest: { code: 409, message: `Cannot 'force_complete' instance ${idle} while it is in task_state None` } });
    }));

  test('abort (2.24) of a running live migration, of a queued one from 2.65; other states and ids refused', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo', { task_state: 'migrating' });
      const running = await liveMigration(db, id, MigrationStatus.RUNNING);
      const queued = await liveMigration(db, id, MigrationStatus.QUEUED);
      const abort = (migrationId: string | number, version: string) => call('DELETE', `/servers/${id}/migrations/${migrationId}`, { version });
      assert.equal((await abort(running.id, '2.23')).status, 404);
      assert.deepEqual((await abort(queued.id, '2.24')).json, {
        badRequest: { code: 400, message: `Migration ${queued.id} state of instance ${id} is queued. Cannot abort live migration while the migration is in this state.` },
      });
      assert.deepEqual((await abort('x', '2.24')).json, { itemNotFound: { code: 404, message: `Migration x not found for instance ${id}` } });
      assert.equal((await abort(running.id, '2.24')).status, 202);
      assert.equal((await abort(queued.id, '2.65')).status, 202);
      assert.deepEqual(recorded.agent.map((message) => [message.verb, message.host, (message.args as { migrationId: number }).migrationId]), [
        ['live_migration_abort', 'compute-1', running.id],
        ['live_migration_abort', 'compute-1', queued.id],
      ]);
      const actions = (await call('GET', `/servers/${id}/os-instance-actions`, { as: ADMIN })).json['instanceActions'] as { action: string }[];
      assert.deepEqual(actions.slice(0, 2).map((action) => action.action), ['live_migration_cancel', 'live_migration_cancel']);
    }));
});
