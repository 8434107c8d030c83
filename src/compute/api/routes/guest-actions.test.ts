import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Database } from '../../../common/db/database.js';
import { ADMIN, insertInstance, memberOf, readerOf } from '../../db/testing/compute-db.js';
import type { ComputeTables, InstancesTable } from '../../db/tables.js';
import { BIG_IMAGE_ID, IMAGE_ID, QUEUED_IMAGE_ID, withComputeApp } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');
const OTHER = memberOf('other');
const MISSING_IMAGE = '00000000-0000-4000-8000-000000000000';

function tables(db: Database) {
  return db.kysely.withTables<ComputeTables>();
}

async function setState(db: Database, uuid: string, vmState: string, taskState: string | null = null): Promise<void> {
  await tables(db).updateTable('compute_instances').set({ vm_state: vmState, task_state: taskState }).where('uuid', '=', uuid).execute();
}

async function row(db: Database, uuid: string): Promise<InstancesTable> {
  return tables(db).selectFrom('compute_instances').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
}

const conflict = (uuid: string, action: string, attr: string, state: string) => ({
  conflictingRequest: { code: 409, message: `Cannot '${action}' instance ${uuid} while it is in ${attr} ${state}` },
});

describe('compute routes: pause, suspend, rescue, rebuild', () => {
  test('pause/unpause and suspend/resume: state guards name the state, task states set, actions recorded, casts to the host', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo');
      const act = (body: unknown) => call('POST', `/servers/${id}/action`, { body, as: DEMO });

      assert.equal((await act({ pause: null })).status, 202);
      assert.equal((await row(db, id)).task_state, 'pausing');
      assert.deepEqual((await act({ pause: null })).json, conflict(id, 'pause', 'task_state', 'pausing'));
      await setState(db, id, 'paused');
      assert.deepEqual((await act({ pause: {} })).json, conflict(id, 'pause', 'vm_state', 'paused'));
      assert.deepEqual((await act({ suspend: null })).json, conflict(id, 'suspend', 'vm_state', 'paused'));
      assert.equal((await act({ unpause: null })).status, 202);
      assert.equal((await row(db, id)).task_state, 'unpausing');
      await setState(db, id, 'active');
      assert.deepEqual((await act({ unpause: null })).json, conflict(id, 'unpause', 'vm_state', 'active'));
      assert.deepEqual((await act({ resume: null })).json, conflict(id, 'resume', 'vm_state', 'active'));
      assert.equal((await act({ suspend: null })).status, 202);
      assert.equal((await row(db, id)).task_state, 'suspending');
      await setState(db, id, 'suspended');
      assert.equal((await act({ resume: null })).status, 202);
      assert.equal((await row(db, id)).task_state, 'resuming');

      await setState(db, id, 'stopped');
      const stopped = await act({ pause: null });
      assert.equal(stopped.status, 409);
      assert.deepEqual(stopped.json, conflict(id, 'pause', 'vm_state', 'stopped'));

      assert.deepEqual(
        recorded.agent.map(({ verb, host, args }) => [verb, host, args]),
        ['pause_instance', 'unpause_instance', 'suspend_instance', 'resume_instance'].map((verb) => [verb, 'compute-1', { instanceUuid: id }]),
      );
      const actions = (await call('GET', `/servers/${id}/os-instance-actions`, { as: DEMO })).json['instanceActions'] as { action: string }[];
      assert.deepEqual(actions.map((action) => action.action).sort(), ['pause', 'resume', 'suspend', 'unpause']);
    }));

  test('policy, ownership, lock and bad bodies: 403, 404, 409 and 400, nothing changed', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo');
      const act = (body: unknown, as = DEMO) => call('POST', `/servers/${id}/action`, { body, as });
      for (const body of [{ pause: null }, { suspend: null }, { rescue: null }, { rebuild: { imageRef: IMAGE_ID } }]) {
        assert.equal((await act(body, readerOf('demo'))).status, 403, JSON.stringify(body));
        assert.equal((await act(body, OTHER)).status, 404, JSON.stringify(body));
      }
      for (const body of [{ pause: { force: true } }, { rescue: { bogus: 1 } }, { rescue: { rescue_image_ref: 'not-a-uuid' } }, { rebuild: {} }, { rebuild: null }]) {
        assert.equal((await act(body)).status, 400, JSON.stringify(body));
      }
      assert.match(JSON.stringify((await act({ rebuild: { name: 'x' } })).json), /'imageRef' is a required property/);

      assert.equal((await act({ lock: null })).status, 202);
      for (const body of [{ pause: null }, { suspend: null }, { rescue: null }, { rebuild: { imageRef: IMAGE_ID } }]) {
        assert.deepEqual((await act(body)).json, { conflictingRequest: { code: 409, message: `Instance ${id} is locked` } }, JSON.stringify(body));
      }
      assert.equal((await row(db, id)).task_state, null);
      assert.deepEqual(recorded.agent, []);
      assert.equal((await act({ pause: null }, ADMIN)).status, 202, 'an admin acts on a locked server');

      // A build that failed before it had a host: its state allows a rescue or rebuild, but there is no host to do it.
      const unscheduled = await insertInstance(db, 'demo', { vm_state: 'error', host: null, node: null });
      for (const body of [{ rescue: null }, { rebuild: { imageRef: IMAGE_ID } }]) {
        const reply = await call('POST', `/servers/${unscheduled}/action`, { body, as: DEMO });
        assert.deepEqual(reply.json, { conflictingRequest: { code: 409, message: `Instance ${unscheduled} is not ready` } });
      }
      const building = await insertInstance(db, 'demo', { vm_state: 'building', task_state: 'scheduling', host: null, node: null });
      assert.deepEqual((await call('POST', `/servers/${building}/action`, { body: { pause: null }, as: DEMO })).json, conflict(building, 'pause', 'vm_state', 'building'));
      assert.equal((await row(db, unscheduled)).task_state, null);
    }));

  test('rescue: 200 with the admin password (given or generated), from ACTIVE, SHUTOFF or ERROR; an unknown image is 400; unrescue only when rescued', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo');
      const act = (body: unknown) => call('POST', `/servers/${id}/action`, { body, as: DEMO });

      assert.deepEqual((await act({ unrescue: null })).json, conflict(id, 'unrescue', 'vm_state', 'active'));
      const unknown = await act({ rescue: { rescue_image_ref: MISSING_IMAGE } });
      assert.deepEqual({ status: unknown.status, json: unknown.json }, { status: 400, json: { badRequest: { code: 400, message: `Requested rescue image '${MISSING_IMAGE}' is not supported` } } });
      assert.equal((await row(db, id)).task_state, null);

      const generated = await act({ rescue: null });
      assert.equal(generated.status, 200);
      assert.match(String(generated.json['adminPass']), /^[A-Za-z0-9_-]{12}$/);
      assert.equal((await row(db, id)).task_state, 'rescuing');
      assert.deepEqual(recorded.agent.at(-1), {
        verb: 'rescue_instance',
        host: 'compute-1',
        args: { instanceUuid: id, rescuePassword: generated.json['adminPass'], rescueImageRef: null },
      });

      for (const state of ['stopped', 'error']) {
        await setState(db, id, state);
        const given = await act({ rescue: { adminPass: 'sesame', rescue_image_ref: IMAGE_ID } });
        assert.deepEqual({ status: given.status, json: given.json }, { status: 200, json: { adminPass: 'sesame' } }, state);
        assert.deepEqual(recorded.agent.at(-1)?.args, { instanceUuid: id, rescuePassword: 'sesame', rescueImageRef: IMAGE_ID });
      }
      await setState(db, id, 'paused');
      assert.deepEqual((await act({ rescue: null })).json, conflict(id, 'rescue', 'vm_state', 'paused'));

      await setState(db, id, 'rescued');
      const shown = (await call('GET', `/servers/${id}`, { as: DEMO })).json['server'] as Record<string, unknown>;
      assert.equal(shown['status'], 'RESCUE');
      assert.deepEqual((await act({ rescue: null })).json, conflict(id, 'rescue', 'vm_state', 'rescued'));
      assert.equal((await act({ unrescue: null })).status, 202);
      assert.deepEqual(recorded.agent.at(-1), { verb: 'unrescue_instance', host: 'compute-1', args: { instanceUuid: id } });
      assert.equal((await row(db, id)).task_state, 'unrescuing');
    }));

  test('rebuild: 202 with the server (new image, name, metadata; REBUILD) and its admin password; the agent is asked on the same host', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo', { access_ip_v4: null });
      await call('POST', `/servers/${id}/metadata`, { body: { metadata: { old: '1' } }, as: DEMO });
      const reply = await call('POST', `/servers/${id}/action`, {
        body: { rebuild: { imageRef: IMAGE_ID, name: 'reborn', metadata: { fresh: 'yes' }, accessIPv4: '10.0.0.9', adminPass: 'pw' } },
        as: DEMO,
      });
      assert.equal(reply.status, 202, JSON.stringify(reply.json));
      const server = reply.json['server'] as Record<string, unknown>;
      assert.deepEqual(
        [server['id'], server['name'], server['status'], server['adminPass'], server['accessIPv4'], server['metadata']],
        [id, 'reborn', 'REBUILD', 'pw', '10.0.0.9', { fresh: 'yes' }],
      );
      assert.equal((await row(db, id)).task_state, 'rebuilding');
      assert.equal((server['image'] as { id: string }).id, IMAGE_ID);
      assert.equal(server['user_data'], undefined, 'user_data is shown from 2.57');
      assert.deepEqual(recorded.agent, [{ verb: 'rebuild_instance', host: 'compute-1', args: { instanceUuid: id, imageRef: IMAGE_ID, adminPassword: 'pw', preserveEphemeral: false } }]);
      const actions = (await call('GET', `/servers/${id}/os-instance-actions`, { as: DEMO })).json['instanceActions'] as { action: string }[];
      assert.ok(actions.some((action) => action.action === 'rebuild'));
      const again = await call('POST', `/servers/${id}/action`, { body: { rebuild: { imageRef: IMAGE_ID } }, as: DEMO });
      assert.deepEqual(again.json, conflict(id, 'rebuild', 'task_state', 'rebuilding'));

      // A stopped server rebuilds too; a generated password, preserve_ephemeral passed on.
      await setState(db, id, 'stopped');
      const stopped = await call('POST', `/servers/${id}/action`, { body: { rebuild: { imageRef: IMAGE_ID, preserve_ephemeral: 'true' } }, as: DEMO });
      assert.equal(stopped.status, 202);
      const password = (stopped.json['server'] as Record<string, unknown>)['adminPass'];
      assert.match(String(password), /^[A-Za-z0-9_-]{12}$/);
      assert.deepEqual(recorded.agent.at(-1)?.args, { instanceUuid: id, imageRef: IMAGE_ID, adminPassword: password, preserveEphemeral: true });
    }));

  test('rebuild refusals: wrong state before bad input, unknown/inactive/too-big image 400, metadata quota 403; nothing written', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo', { display_name: 'keep' });
      const before = await row(db, id);
      const rebuild = (body: Record<string, unknown>) => call('POST', `/servers/${id}/action`, { body: { rebuild: body }, as: DEMO });
      const cases: [Record<string, unknown>, number, string][] = [
        [{ imageRef: MISSING_IMAGE }, 400, 'Cannot find image for rebuild'],
        [{ imageRef: QUEUED_IMAGE_ID }, 400, `Image ${QUEUED_IMAGE_ID} is not active.`],
        [{ imageRef: BIG_IMAGE_ID }, 400, "Flavor's memory is too small for requested image."],
        [{ imageRef: IMAGE_ID, name: 'x', metadata: Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v'])) }, 403, 'Quota exceeded for metadata_items: Maximum number of metadata items exceeds 128'],
      ];
      for (const [body, status, message] of cases) {
        const reply = await rebuild(body);
        assert.equal(reply.status, status, JSON.stringify(reply.json));
        assert.equal((Object.values(reply.json)[0] as { message: string }).message, message);
      }
      assert.deepEqual(await row(db, id), before);
      await setState(db, id, 'paused');
      assert.deepEqual((await rebuild({ imageRef: MISSING_IMAGE })).json, conflict(id, 'rebuild', 'vm_state', 'paused'));
      assert.deepEqual(recorded.agent, []);
    }));

  test('rebuild by microversion: description 2.19, key_name 2.54, user_data 2.57 (shown in the answer), trusted certificates 2.63, hostname 2.90', () =>
    withComputeApp(async ({ call, db }) => {
      const id = await insertInstance(db, 'demo', { user_data: 'b2xk' });
      const rebuild = async (body: Record<string, unknown>, version: string) => {
        const reply = await call('POST', `/servers/${id}/action`, { body: { rebuild: { imageRef: IMAGE_ID, ...body } }, as: DEMO, version });
        if (reply.status === 202) await setState(db, id, 'active');
        return reply;
      };
      const unexpected = await rebuild({ description: 'd' }, '2.18');
      assert.equal(unexpected.status, 400);
      assert.match(String((unexpected.json['badRequest'] as { message: string }).message), /^Invalid input for field\/attribute rebuild\. Value: .*Additional properties are not allowed \('description' was unexpected\)$/);
      assert.equal((await rebuild({ description: 'd' }, '2.19')).status, 202);
      assert.equal((await row(db, id)).display_description, 'd');

      assert.equal((await rebuild({ key_name: 'k' }, '2.53')).status, 400);
      assert.deepEqual((await rebuild({ key_name: 'nope' }, '2.54')).json, { badRequest: { code: 400, message: 'Invalid key_name provided.' } });
      const key = await call('POST', '/os-keypairs', { body: { keypair: { name: 'k' } }, as: DEMO });
      const publicKey = (key.json['keypair'] as { public_key: string }).public_key;
      assert.equal((await rebuild({ key_name: 'k' }, '2.54')).status, 202);
      assert.deepEqual([(await row(db, id)).key_name, (await row(db, id)).key_data], ['k', publicKey]);
      assert.equal((await rebuild({ key_name: null }, '2.54')).status, 202);
      assert.deepEqual([(await row(db, id)).key_name, (await row(db, id)).key_data], [null, null]);

      assert.equal((await rebuild({ user_data: 'aGk=' }, '2.56')).status, 400);
      assert.match(JSON.stringify((await rebuild({ user_data: 'not base64!' }, '2.57')).json), /Userdata content cannot be decoded/);
      const kept = await rebuild({}, '2.57');
      assert.equal((kept.json['server'] as Record<string, unknown>)['user_data'], 'b2xk', 'absent user_data is kept');
      const changed = await rebuild({ user_data: 'aGk=' }, '2.57');
      assert.equal((changed.json['server'] as Record<string, unknown>)['user_data'], 'aGk=');
      assert.equal((await rebuild({ user_data: null }, '2.57')).status, 202);
      assert.equal((await row(db, id)).user_data, null);

      assert.equal((await rebuild({ trusted_image_certificates: ['c1'] }, '2.62')).status, 400);
      assert.equal((await rebuild({ trusted_image_certificates: [] }, '2.63')).status, 400);
      assert.equal((await rebuild({ trusted_image_certificates: ['c1', 'c2'] }, '2.63')).status, 202);
      const certs = () =>
        tables(db).selectFrom('compute_instance_system_metadata').select(['key', 'value']).where('instance_uuid', '=', id).where('key', '=', 'trusted_image_certificates').execute();
      assert.deepEqual(await certs(), [{ key: 'trusted_image_certificates', value: '["c1","c2"]' }]);
      assert.equal((await rebuild({ trusted_image_certificates: null }, '2.63')).status, 202);
      assert.deepEqual(await certs(), []);
      assert.equal((await rebuild({ hostname: 'new-name' }, '2.89')).status, 400);
      assert.equal((await rebuild({ hostname: 'new-name' }, '2.90')).status, 202);
      assert.equal((await row(db, id)).hostname, 'new-name');
    }));
});
