import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Database } from '../../../common/db/database.js';
import type { ServiceRegistryTables } from '../../../common/service/db/tables.js';
import { NodeStore } from '../../db/node-store.js';
import { insertInstance, memberOf } from '../../db/testing/compute-db.js';
import type { ComputeTables, InstancesTable } from '../../db/tables.js';
import { FlavorStore } from '../../db/flavor-store.js';
import { MigrationStore } from '../../db/migration-store.js';
import { QuotaManager } from '../../quotas/quota-manager.js';
import { FakeDriver } from '../../virt/fake/index.js';
import { BIG_IMAGE_ID, IMAGE_ID, withComputeApp } from '../../testing/compute-test-app.js';
import { UsageStore } from '../../db/usage-store.js';
import { QuotaStore } from '../../db/quota-store.js';

const DEMO = memberOf('demo');

/** An ACTIVE m1.tiny server of demo on compute-1, with the flavor stored as the API stores it. */
async function server(db: Database, overrides: Partial<InstancesTable> = {}): Promise<string> {
  const tiny = await new FlavorStore(db).get({ isAdmin: true }, '1');
  return insertInstance(db, 'demo', { image_ref: IMAGE_ID, flavor: JSON.stringify({ cur: tiny, old: null, new: null }), ...overrides });
}

async function row(db: Database, uuid: string) {
  return db.kysely.withTables<ComputeTables>().selectFrom('compute_instances').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
}

/** A server resized from m1.tiny (compute-1) to m1.small (compute-2), its migration finished. */
async function resized(db: Database, oldVmState = 'active'): Promise<{ uuid: string; migrationId: number }> {
  const flavors = new FlavorStore(db);
  const [tiny, small] = [await flavors.get({ isAdmin: true }, '1'), await flavors.get({ isAdmin: true }, '2')];
  const uuid = await insertInstance(db, 'demo', {
    image_ref: IMAGE_ID,
    vm_state: 'resized',
    host: 'compute-2',
    node: 'compute-2',
    flavor_id: '2',
    memory_mb: 512,
    root_gb: 5,
    flavor: JSON.stringify({ cur: small, old: tiny, new: small }),
  });
  const tables = db.kysely.withTables<ComputeTables>();
  await tables.insertInto('compute_instance_system_metadata').values({ instance_uuid: uuid, key: 'old_vm_state', value: oldVmState }).execute();
  const migration = await new MigrationStore(db).create({
    instanceUuid: uuid,
    type: 'resize',
    status: 'finished',
    sourceCompute: 'compute-1',
    sourceNode: 'compute-1',
    destCompute: 'compute-2',
    destNode: 'compute-2',
    oldFlavorId: '1',
    newFlavorId: '2',
    userId: 'user-of-demo',
    projectId: 'demo',
  });
  return { uuid, migrationId: migration.id };
}

describe('resize, migrate, confirmResize and revertResize routes', () => {
  test('resize: 202, task resize_prep, the resize action, the old vm_state stashed and the new flavor handed to the conductor', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await server(db);
      const reply = await call('POST', `/servers/${id}/action`, { body: { resize: { flavorRef: '2', 'OS-DCF:diskConfig': 'AUTO' } }, as: DEMO });
      assert.equal(reply.status, 202, JSON.stringify(reply.json));
      assert.equal((await row(db, id)).task_state, 'resize_prep');
      const [request] = recorded.resizes;
      assert.deepEqual([request?.instanceUuid, request?.flavor.flavorid, request?.oldFlavor.flavorid, request?.oldVmState], [id, '2', '1', 'active']);
      assert.deepEqual(request?.spec.flavor, { vcpus: 1, memoryMb: 512, rootGb: 5, ephemeralGb: 0, swapMb: 0, extraSpecs: {} });
      assert.equal(request?.spec.requestedDestination, undefined);
      const actions = (await call('GET', `/servers/${id}/os-instance-actions`, { as: DEMO })).json['instanceActions'] as Record<string, unknown>[];
      assert.equal(actions[0]?.['action'], 'resize');
      const stash = await db.kysely.withTables<ComputeTables>().selectFrom('compute_instance_system_metadata').selectAll().where('instance_uuid', '=', id).orderBy('key').execute();
      assert.deepEqual(stash.map((item) => [item.key, item.value]), [['auto_disk_config', 'True'], ['old_vm_state', 'active']]);
      const again = await call('POST', `/servers/${id}/action`, { body: { resize: { flavorRef: 3 } }, as: DEMO });
      assert.equal(again.status, 409);
      assert.equal((again.json['conflictingRequest'] as Record<string, unknown>)['message'], `Cannot 'resize' instance ${id} while it is in task_state resize_prep`);
    }));

  test('resize refusals are 400/403/404/409 in Nova\'s words and change nothing', () =>
    withComputeApp(async ({ call, db, recorded, registry }) => {
      const id = await server(db);
      const refuse = async (body: unknown, status: number, message: string | undefined, as = DEMO, target = id) => {
        const reply = await call('POST', `/servers/${target}/action`, { body, as });
        assert.equal(reply.status, status, JSON.stringify(reply.json));
        const fault = Object.values(reply.json)[0] as Record<string, unknown>;
        if (message !== undefined) assert.equal(fault['message'], message);
      };
      await refuse({ resize: { flavorRef: '1' } }, 400, 'When resizing, instances must change flavor!');
      await refuse({ resize: { flavorRef: '99' } }, 400, 'Flavor 99 could not be found.');
      await refuse({ resize: {} }, 400, undefined);
      await refuse({ resize: { flavorRef: '2', extra: 1 } }, 400, undefined);
      await new FlavorStore(db).create({ name: 'zero', flavorid: 'zero', memory_mb: 256, vcpus: 1, root_gb: 0 });
      await refuse({ resize: { flavorRef: 'zero' } }, 400, 'Server disk was unable to be resized because: Resize to zero disk flavor is not allowed.');
      await new QuotaManager(new QuotaStore(db), new UsageStore(db)).update('demo', { cores: 1 });
      await refuse({ resize: { flavorRef: '3' } }, 403, 'Quota exceeded for cores: Requested 1, but already used 1 of 1 cores');
      const big = await server(db, { image_ref: BIG_IMAGE_ID });
      await refuse({ resize: { flavorRef: '2' } }, 400, "Flavor's memory is too small for requested image.", DEMO, big);
      const paused = await server(db, { vm_state: 'paused' });
      await refuse({ resize: { flavorRef: '2' } }, 409, `Cannot 'resize' instance ${paused} while it is in vm_state paused`, DEMO, paused);
      const locked = await server(db, { locked: true, locked_by: 'owner' });
      await refuse({ resize: { flavorRef: '2' } }, 409, `Instance ${locked} is locked`, DEMO, locked);
      await refuse({ resize: { flavorRef: '2' } }, 404, `Instance ${id} could not be found.`, memberOf('other'));
      await refuse({ resize: { flavorRef: '2' } }, 403, "Policy doesn't allow os_compute_api:servers:resize to be performed.", { ...DEMO, roles: ['reader'] });
      await registry.register({ binary: 'nova-compute', host: 'compute-1', topic: 'compute' });
      await db.kysely.withTables<ServiceRegistryTables>().updateTable('services').set({ forced_down: true }).where('host', '=', 'compute-1').execute();
      await refuse({ resize: { flavorRef: '2' } }, 409, 'Service is unavailable at this time.');
      assert.equal((await row(db, id)).task_state, null);
      assert.deepEqual(recorded.resizes, []);
    }));

  test('migrate: admin only; the same flavor; a host from 2.56 that must exist and differ from the server\'s', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await server(db);
      await new NodeStore(db).upsert('compute-2', await new FakeDriver({ host: 'compute-2' }).getAvailableResource());
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { migrate: null }, as: DEMO })).status, 403);
      const sameHost = await call('POST', `/servers/${id}/action`, { body: { migrate: { host: 'compute-1' } }, version: '2.56' });
      assert.equal((sameHost.json['badRequest'] as Record<string, unknown>)['message'], 'Cannot migrate to the host where the server exists.');
      const unknown = await call('POST', `/servers/${id}/action`, { body: { migrate: { host: 'nowhere' } }, version: '2.56' });
      assert.equal((unknown.json['badRequest'] as Record<string, unknown>)['message'], 'Compute host nowhere could not be found.');
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { migrate: { host: 'compute-2' } }, version: '2.56' })).status, 202);
      const [request] = recorded.resizes;
      assert.deepEqual([request?.flavor.flavorid, request?.oldFlavor.flavorid, request?.spec.requestedDestination], ['1', '1', { host: 'compute-2' }]);
      const actions = (await call('GET', `/servers/${id}/os-instance-actions`)).json['instanceActions'] as Record<string, unknown>[];
      assert.equal(actions[0]?.['action'], 'migrate');

      const other = await server(db);
      assert.equal((await call('POST', `/servers/${other}/action`, { body: { migrate: { host: 'nowhere' } } })).status, 202, 'before 2.56 the host is ignored');
      assert.equal(recorded.resizes[1]?.spec.requestedDestination, undefined);
    }));

  test('confirmResize: 409 unless VERIFY_RESIZE, 400 without a finished migration; 204 marks it confirming and casts to the source', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const active = await server(db);
      const notResized = await call('POST', `/servers/${active}/action`, { body: { confirmResize: null }, as: DEMO });
      assert.equal(notResized.status, 409);
      assert.equal((notResized.json['conflictingRequest'] as Record<string, unknown>)['message'], `Cannot 'confirmResize' instance ${active} while it is in vm_state active`);
      const orphan = await server(db, { vm_state: 'resized' });
      const missing = await call('POST', `/servers/${orphan}/action`, { body: { confirmResize: null }, as: DEMO });
      assert.equal((missing.json['badRequest'] as Record<string, unknown>)['message'], 'Instance has not been resized.');

      const { uuid, migrationId } = await resized(db);
      assert.equal((await call('POST', `/servers/${uuid}/action`, { body: { confirmResize: null }, as: DEMO })).status, 204);
      assert.equal((await new MigrationStore(db).getById(migrationId))?.status, 'confirming');
      assert.deepEqual(recorded.agent.map((message) => [message.verb, message.host]), [['confirm_resize', 'compute-1']]);
      assert.equal((await call('POST', `/servers/${uuid}/action`, { body: { confirmResize: null }, as: DEMO })).status, 400, 'a second confirm finds nothing to confirm');
    }));

  test('revertResize: task resize_reverting, migration reverting, the old flavor and vm_state cast to the destination; delete while resized confirms first', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const { uuid, migrationId } = await resized(db, 'stopped');
      assert.equal((await call('POST', `/servers/${uuid}/action`, { body: { revertResize: null }, as: DEMO })).status, 202);
      assert.equal((await row(db, uuid)).task_state, 'resize_reverting');
      assert.equal((await new MigrationStore(db).getById(migrationId))?.status, 'reverting');
      const [cast] = recorded.agent;
      assert.equal(cast?.verb, 'revert_resize');
      assert.equal(cast?.host, 'compute-2');
      const args = cast?.args as { oldFlavor: { flavorid: string }; oldVmState: string; migration: { sourceCompute: string } };
      assert.deepEqual([args.oldFlavor.flavorid, args.oldVmState, args.migration.sourceCompute], ['1', 'stopped', 'compute-1']);
      const status = (await call('GET', `/servers/${uuid}`, { as: DEMO })).json['server'] as Record<string, unknown>;
      assert.equal(status['status'], 'REVERT_RESIZE');

      const second = await resized(db);
      assert.equal((await call('DELETE', `/servers/${second.uuid}`, { as: DEMO })).status, 204);
      assert.deepEqual(recorded.agent.slice(1).map((message) => [message.verb, message.host]), [['confirm_resize', 'compute-1'], ['terminate_instance', 'compute-2']]);
    }));
});

describe('GET /os-migrations', () => {
  test('admin only; Nova\'s fields per microversion; filters; paging from 2.59; hidden ones never shown', () =>
    withComputeApp(async ({ call, db }) => {
      const first = await resized(db);
      const second = await resized(db);
      const store = new MigrationStore(db);
      await store.update(second.migrationId, { status: 'confirmed' });
      const live = await store.create({ instanceUuid: first.uuid, type: 'live-migration', status: 'running', sourceCompute: 'compute-2', sourceNode: 'compute-2', destCompute: 'compute-3', destNode: 'compute-3' });
      await db.kysely.withTables<ComputeTables>().insertInto('compute_migrations').values({
        uuid: 'hidden-one', instance_uuid: first.uuid, migration_type: 'migration', status: 'error', source_compute: 'compute-1', source_node: 'compute-1',
        dest_compute: null, dest_node: null, dest_host: null, old_flavor_id: null, new_flavor_id: null, user_id: null, project_id: null, hidden: true,
        created_at: '2026-11-20T00:00:00.000Z', updated_at: '2026-11-20T00:00:00.000Z',
      }).execute();

      assert.equal((await call('GET', '/os-migrations', { as: DEMO })).status, 403);
      const v21 = (await call('GET', '/os-migrations')).json['migrations'] as Record<string, unknown>[];
      assert.equal(v21.length, 3);
      assert.deepEqual(Object.keys(v21[2] ?? {}).sort(), ['created_at', 'dest_compute', 'dest_host', 'dest_node', 'id', 'instance_uuid', 'new_instance_type_id', 'old_instance_type_id', 'source_compute', 'source_node', 'status', 'updated_at']);
      assert.deepEqual([v21[2]?.['old_instance_type_id'], v21[2]?.['new_instance_type_id'], v21[2]?.['status']], [1, 2, 'finished']);
      assert.match(String(v21[2]?.['created_at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);

      const v223 = (await call('GET', '/os-migrations', { version: '2.23' })).json['migrations'] as Record<string, unknown>[];
      assert.deepEqual(v223.map((item) => item['migration_type']), ['live-migration', 'resize', 'resize']);
      assert.deepEqual((v223[0]?.['links'] as { href: string }[])[0]?.href, `http://cloud/compute/v2.1/servers/${first.uuid}/migrations/${live.id}`);
      assert.equal(v223[1]?.['links'], undefined);
      assert.equal(v223[0]?.['uuid'], undefined);

      const byHost = (await call('GET', '/os-migrations?host=compute-3')).json['migrations'] as Record<string, unknown>[];
      assert.deepEqual(byHost.map((item) => item['id']), [live.id]);
      const byStatus = (await call('GET', '/os-migrations?status=confirmed')).json['migrations'] as Record<string, unknown>[];
      assert.deepEqual(byStatus.map((item) => item['instance_uuid']), [second.uuid]);
      const bySource = (await call('GET', `/os-migrations?source_compute=compute-1&instance_uuid=${first.uuid}&migration_type=resize`)).json['migrations'] as Record<string, unknown>[];
      assert.deepEqual(bySource.map((item) => item['id']), [first.migrationId]);
      assert.equal((await call('GET', '/os-migrations?bogus=1')).status, 200, 'before 2.59 unknown parameters are ignored');

      const page = await call('GET', '/os-migrations?limit=2', { version: '2.59' });
      const items = page.json['migrations'] as Record<string, unknown>[];
      assert.equal(items.length, 2);
      assert.match(String(items[0]?.['uuid']), /^[0-9a-f-]{36}$/);
      const next = (page.json['migrations_links'] as { rel: string; href: string }[])[0];
      assert.equal(next?.rel, 'next');
      assert.ok(next?.href.endsWith(`/compute/v2.1/os-migrations?limit=2&marker=${String(items[1]?.['uuid'])}`), next?.href);
      const rest = (await call('GET', `/os-migrations?marker=${String(items[1]?.['uuid'])}`, { version: '2.59' })).json['migrations'] as Record<string, unknown>[];
      assert.deepEqual(rest.map((item) => item['id']), [first.migrationId]);
      assert.equal((await call('GET', '/os-migrations?marker=nope', { version: '2.59' })).status, 400);
      assert.equal((await call('GET', '/os-migrations?limit=-1', { version: '2.59' })).status, 400);
      assert.equal((await call('GET', '/os-migrations?limit=many', { version: '2.59' })).status, 400);
      assert.deepEqual((await call('GET', '/os-migrations?limit=0', { version: '2.59' })).json['migrations'], []);
      assert.equal((await call('GET', '/os-migrations?bogus=1', { version: '2.59' })).status, 400);
      assert.equal((await call('GET', '/os-migrations?changes-before=2026-01-01T00:00:00Z', { version: '2.59' })).status, 400, 'changes-before comes at 2.66');
      assert.deepEqual(((await call('GET', '/os-migrations?changes-since=2999-01-01T00:00:00Z', { version: '2.59' })).json['migrations'] as unknown[]).length, 0);
      assert.equal(((await call('GET', '/os-migrations?changes-before=2999-01-01T00:00:00Z', { version: '2.66' })).json['migrations'] as unknown[]).length, 3);
      assert.equal((await call('GET', '/os-migrations?changes-since=yesterday', { version: '2.66' })).status, 400);

      const v280 = (await call('GET', '/os-migrations?project_id=demo', { version: '2.80' })).json['migrations'] as Record<string, unknown>[];
      assert.deepEqual(v280.map((item) => [item['user_id'], item['project_id']]), [['user-of-demo', 'demo'], ['user-of-demo', 'demo']]);
      assert.equal(((await call('GET', '/os-migrations?project_id=demo', { version: '2.79' })).status), 400, 'project_id is a 2.80 filter');
    }));
});
