import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN, insertInstance, memberOf } from '../../db/testing/compute-db.js';
import { withComputeApp } from '../../testing/compute-test-app.js';

const PORT = '6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a01';

describe('compute routes: os-server-external-events', () => {
  test('each event answered on its own: 200 and cast to the host, 404 unknown server, 422 no host; 207 when any failed', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const onHost = await insertInstance(db, 'demo', { host: 'compute-2' });
      const unplaced = await insertInstance(db, 'demo', { host: null });
      const unknown = '0e9f3c7a-1f0b-4c55-8d3e-7a1b2c3d4e5f';
      const events = [
        { server_uuid: onHost, name: 'network-vif-plugged', tag: PORT },
        { server_uuid: unknown, name: 'network-changed' },
        { server_uuid: unplaced, name: 'network-vif-plugged', tag: PORT, status: 'failed' },
      ];
      const reply = await call('POST', '/os-server-external-events', { body: { events }, as: ADMIN });
      assert.equal(reply.status, 207);
      assert.deepEqual(reply.json, {
        events: [
          { ...events[0], status: 'completed', code: 200 },
          { ...events[1], status: 'failed', code: 404 },
          { ...events[2], status: 'failed', code: 422 },
        ],
      });
      assert.deepEqual(
        recorded.agent.map(({ verb, host, args }) => ({ verb, host, args })),
        [{ verb: 'external_instance_event', host: 'compute-2', args: { events: [{ instanceUuid: onHost, name: 'network-vif-plugged', tag: PORT, status: 'completed' }] } }],
      );
      const allGood = await call('POST', '/os-server-external-events', { body: { events: [{ server_uuid: onHost, name: 'network-changed', tag: PORT }] }, as: ADMIN });
      assert.deepEqual([allGood.status, (allGood.json['events'] as { code: number }[])[0]?.code], [200, 200]);
    }));

  test('event names by microversion, a tag where Nova needs one, admin only, and bad bodies are 400', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const uuid = await insertInstance(db, 'demo', { host: 'compute-1' });
      const post = (body: unknown, version?: string, as = ADMIN) => call('POST', '/os-server-external-events', { body, as, ...(version === undefined ? {} : { version }) });
      assert.equal((await post({ events: [{ server_uuid: uuid, name: 'volume-extended', tag: PORT }] }, '2.50')).status, 400);
      assert.equal((await post({ events: [{ server_uuid: uuid, name: 'volume-extended', tag: PORT }] }, '2.51')).status, 200);
      assert.equal((await post({ events: [{ server_uuid: uuid, name: 'power-update', tag: 'POWER_ON' }] }, '2.75')).status, 400);
      const untagged = await post({ events: [{ server_uuid: uuid, name: 'power-update' }] }, '2.76');
      assert.deepEqual([untagged.status, (untagged.json['events'] as { code: number }[])[0]?.code], [207, 400]);
      for (const body of [{ events: [] }, {}, { events: [{ server_uuid: 'not-a-uuid', name: 'network-changed' }] }, { events: [{ server_uuid: uuid, name: 'network-changed', extra: 1 }] }]) {
        assert.equal((await post(body)).status, 400, JSON.stringify(body));
      }
      const member = await post({ events: [{ server_uuid: uuid, name: 'network-changed' }] }, undefined, memberOf('demo'));
      assert.equal(member.status, 403);
      assert.equal(recorded.agent.filter((message) => message.verb === 'external_instance_event').length, 1);
    }));
});
