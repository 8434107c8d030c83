import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Database } from '../../../common/db/database.js';
import type { ServiceRegistry } from '../../../common/service/service-registry.js';
import { insertInstance, memberOf } from '../../db/testing/compute-db.js';
import type { ComputeTables } from '../../db/tables.js';
import { MigrationStore } from '../../db/migration-store.js';
import { forceDown } from '../../testing/moves.js';
import { withComputeApp, type Call } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');

/** compute-1 (the servers' host) forced down, compute-2 up. */
async function hosts(db: Database, registry: ServiceRegistry): Promise<void> {
  for (const host of ['compute-1', 'compute-2']) await registry.register({ binary: 'nova-compute', host, topic: 'compute' });
  await forceDown(db, 'compute-1');
}

async function row(db: Database, uuid: string) {
  return db.kysely.withTables<ComputeTables>().selectFrom('compute_instances').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
}

function evacuate(call: Call, id: string, fields: Record<string, unknown>, version?: string) {
  return call('POST', `/servers/${id}/action`, { body: { evacuate: fields }, ...(version === undefined ? {} : { version }) });
}

function message(reply: { json: Record<string, unknown> }): string {
  const fault = Object.values(reply.json)[0] as { message?: string } | undefined;
  return String(fault?.message);
}

describe('compute routes: evacuate', () => {
  test('from a down host: 200 with the admin password before 2.14, task rebuilding, an evacuation record, the conductor asked (with the zone asked at boot)', () =>
    withComputeApp(async ({ call, db, registry, recorded }) => {
      await hosts(db, registry);
      const id = await insertInstance(db, 'demo', { requested_availability_zone: 'az-a' });
      const reply = await evacuate(call, id, { onSharedStorage: false });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      const adminPass = String(reply.json['adminPass']);
      assert.equal(adminPass.length, 12);
      assert.equal((await row(db, id)).task_state, 'rebuilding');
      const [migration] = await new MigrationStore(db).list({ instanceUuid: id });
      assert.deepEqual([migration?.migration_type, migration?.status, migration?.source_compute, migration?.dest_compute], ['evacuation', 'accepted', 'compute-1', null]);
      assert.deepEqual(recorded.evacuations, [{ instanceUuid: id, migrationId: migration?.id, host: null, force: false, adminPassword: adminPass, onSharedStorage: false, availabilityZone: 'az-a' }]);
      const actions = (await call('GET', `/servers/${id}/os-instance-actions`)).json['instanceActions'] as { action: string }[];
      assert.deepEqual(actions.map((action) => action.action), ['evacuate']);
      const shown = (await call('GET', `/servers/${id}`)).json['server'] as Record<string, unknown>;
      assert.equal(shown['status'], 'REBUILD');

      const shared = await insertInstance(db, 'demo', { vm_state: 'error' });
      const onShared = await evacuate(call, shared, { onSharedStorage: 'True', host: 'compute-2' });
      assert.deepEqual([onShared.status, onShared.json], [200, { adminPass: null }]);
      assert.deepEqual(recorded.evacuations.at(-1), { instanceUuid: shared, migrationId: (await new MigrationStore(db).list({ instanceUuid: shared }))[0]?.id, host: 'compute-2', force: true, adminPassword: null, onSharedStorage: true, availabilityZone: null });

      const later = await insertInstance(db, 'demo', { vm_state: 'stopped', power_state: 4 });
      const at214 = await evacuate(call, later, { adminPass: 'chosen' }, '2.14');
      assert.deepEqual([at214.status, at214.json], [200, {}]);
      assert.deepEqual([recorded.evacuations.at(-1)?.adminPassword, recorded.evacuations.at(-1)?.onSharedStorage], ['chosen', null]);
    }));

  test('the body follows the microversion: onSharedStorage until 2.13, force 2.29–2.67', () =>
    withComputeApp(async ({ call, db, registry, recorded }) => {
      await hosts(db, registry);
      const refused: [Record<string, unknown>, string | undefined, RegExp][] = [
        [{}, undefined, /'onSharedStorage' is a required property/],
        [{ onSharedStorage: true, adminPass: 'x' }, undefined, /^admin password can't be changed on existing disk$/],
        [{ onSharedStorage: false }, '2.14', /Additional properties are not allowed \('onSharedStorage' was unexpected\)/],
        [{ force: true, host: 'compute-2' }, '2.28', /Additional properties are not allowed \('force' was unexpected\)/],
        [{ force: true }, '2.29', /^Can't force to a non-provided destination$/],
        [{ force: true, host: 'compute-2' }, '2.68', /Additional properties are not allowed \('force' was unexpected\)/],
      ];
      for (const [fields, version, pattern] of refused) {
        const id = await insertInstance(db, 'demo');
        const reply = await evacuate(call, id, fields, version);
        assert.equal(reply.status, 400, `${version ?? '2.1'} ${JSON.stringify(fields)}`);
        assert.match(message(reply), pattern);
        assert.equal((await row(db, id)).task_state, null);
      }
      assert.equal(recorded.evacuations.length, 0);
      const accepted: [Record<string, unknown>, string, boolean][] = [
        [{ host: 'compute-2' }, '2.14', true],
        [{ host: 'compute-2' }, '2.29', false],
        [{ host: 'compute-2', force: 'true' }, '2.29', true],
        [{ host: 'compute-2' }, '2.68', false],
      ];
      for (const [fields, version, force] of accepted) {
        const id = await insertInstance(db, 'demo');
        assert.equal((await evacuate(call, id, fields, version)).status, 200, version);
        assert.equal(recorded.evacuations.at(-1)?.force, force, version);
      }
    }));

  test('refusals: the source host up is 400, an unknown or the same host, a task in progress, members; nothing changes', () =>
    withComputeApp(async ({ call, db, registry, recorded }) => {
      await hosts(db, registry);
      const onUp = await insertInstance(db, 'demo', { host: 'compute-2', node: 'compute-2' });
      const id = await insertInstance(db, 'demo');
      const busy = await insertInstance(db, 'demo', { task_state: 'powering-off' });
      const cases: [string, Record<string, unknown>, number, string][] = [
        [onUp, { onSharedStorage: false }, 400, 'Compute service of compute-2 is still in use.'],
        [id, { onSharedStorage: false, host: 'nowhere' }, 404, 'Compute host nowhere not found.'],
        [id, { onSharedStorage: false, host: 'compute-1' }, 400, "The target host can't be the same one."],
        [busy, { onSharedStorage: false }, 409, `Cannot 'evacuate' instance ${busy} while it is in task_state powering-off`],
      ];
      for (const [server, fields, status, text] of cases) {
        const reply = await evacuate(call, server, fields);
        assert.deepEqual([reply.status, message(reply)], [status, text]);
      }
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { evacuate: { onSharedStorage: false } }, as: DEMO })).status, 403);
      assert.deepEqual([(await row(db, onUp)).task_state, (await row(db, id)).task_state], [null, null]);
      assert.deepEqual(await new MigrationStore(db).list(), []);
      assert.equal(recorded.evacuations.length, 0);
    }));
});
