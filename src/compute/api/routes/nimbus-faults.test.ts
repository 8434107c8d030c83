import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configureLogging } from '../../../common/logging/logger.js';
import { memberOf } from '../../db/testing/compute-db.js';
import { withComputeApp } from '../../testing/compute-test-app.js';
import { seedHosts } from '../../admin/testing/admin-fixtures.js';

const lines: string[] = [];
configureLogging({ sink: (line) => lines.push(line) });

const DEMO = memberOf('demo');
const INSTANCE = '3c6f0d42-8a8e-4f61-9d1b-7c1a6f0b2e11';

describe('/v2.1/nimbus/faults (failure injection for testers)', () => {
  test('the admin injects, lists and clears; each reaches the host agent as a cast and is logged at WARNING', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call, recorded } = harness;
      const created = await call('POST', '/nimbus/faults', {
        body: { fault: { host: 'compute-1', kind: 'fail', operation: 'live_migration', instance: INSTANCE, count: 2 } },
      });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const fault = created.json['fault'] as Record<string, unknown>;
      assert.deepEqual(
        { ...fault, id: undefined, created_at: undefined },
        { id: undefined, host: 'compute-1', kind: 'fail', operation: 'live_migration', instance: INSTANCE, delay_ms: null, remaining: 2, expires_at: null, created_at: undefined, request_id: 'req-admin' },
      );
      const id = String(fault['id']);
      assert.ok(lines.some((line) => line.includes(' WARNING nimbus.compute.faults ') && line.includes(`Created fault injection ${id}`)), lines.join('\n'));

      const slow = await call('POST', '/nimbus/faults', { body: { fault: { host: 'compute-2', kind: 'slow', delay_ms: 500, duration_s: 60 } } });
      assert.equal(slow.status, 201);
      const slowFault = slow.json['fault'] as Record<string, unknown>;
      assert.deepEqual([slowFault['operation'], slowFault['remaining'], typeof slowFault['expires_at']], [null, null, 'string']);
      const pause = await call('POST', '/nimbus/faults', { body: { fault: { host: 'compute-1', kind: 'pause_bus', duration_s: 30 } } });
      assert.equal(pause.status, 201);

      const casts = recorded.agent.filter((message) => message.verb === 'inject_fault');
      assert.deepEqual(casts.map((message) => message.host), ['compute-1', 'compute-2', 'compute-1']);
      assert.equal((casts[0]?.args as { fault: { id: string } }).fault.id, id);

      const all = (await call('GET', '/nimbus/faults')).json['faults'] as Record<string, unknown>[];
      assert.deepEqual(all.map((found) => found['kind']).sort(), ['fail', 'pause_bus', 'slow']);
      const ofHost = (await call('GET', '/nimbus/faults?host=compute-2')).json['faults'] as Record<string, unknown>[];
      assert.deepEqual(ofHost.map((found) => found['kind']), ['slow']);

      assert.equal((await call('DELETE', `/nimbus/faults/${id}`)).status, 204);
      assert.deepEqual(recorded.agent.filter((message) => message.verb === 'clear_fault').map((message) => [message.host, message.args]), [['compute-1', { id }]]);
      assert.ok(lines.some((line) => line.includes(' WARNING ') && line.includes(`Cleared fault injection ${id}`)));
      const left = (await call('GET', '/nimbus/faults')).json['faults'] as Record<string, unknown>[];
      assert.deepEqual(left.map((found) => found['kind']).sort(), ['pause_bus', 'slow']);
      const again = await call('DELETE', `/nimbus/faults/${id}`);
      assert.equal(again.status, 404);
      assert.deepEqual(again.json, { itemNotFound: { code: 404, message: `Fault injection ${id} could not be found.` } });
    }));

  test('a project member is refused every call with 403 and nothing is injected', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call, recorded } = harness;
      const create = await call('POST', '/nimbus/faults', { as: DEMO, body: { fault: { host: 'compute-1', kind: 'drop_heartbeat', duration_s: 30 } } });
      assert.equal(create.status, 403);
      assert.deepEqual(create.json, { forbidden: { code: 403, message: "Policy doesn't allow nimbus:faults:create to be performed." } });
      assert.equal((await call('GET', '/nimbus/faults', { as: DEMO })).status, 403);
      const made = await call('POST', '/nimbus/faults', { body: { fault: { host: 'compute-1', kind: 'drop_heartbeat', duration_s: 30 } } });
      assert.equal((await call('DELETE', `/nimbus/faults/${String((made.json['fault'] as Record<string, unknown>)['id'])}`, { as: DEMO })).status, 403);
      assert.equal(((await call('GET', '/nimbus/faults')).json['faults'] as unknown[]).length, 1);
      assert.equal(recorded.agent.filter((message) => message.verb === 'clear_fault').length, 0);
    }));

  test("bad input is a 400 in Nova's fault body; an unknown host is a 404", () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call, recorded } = harness;
      const bad: [unknown, RegExp][] = [
        [{ fault: { host: 'compute-1', kind: 'explode' } }, /kind/],
        [{ fault: { host: 'compute-1', kind: 'fail' } }, /A fail fault injection needs 'operation'/],
        [{ fault: { host: 'compute-1', kind: 'fail', operation: 'teleport' } }, /Unknown operation 'teleport'; one of: .*live_migration/],
        [{ fault: { host: 'compute-1', kind: 'slow', operation: 'spawn' } }, /A slow fault injection needs 'delay_ms'/],
        [{ fault: { host: 'compute-1', kind: 'fail', operation: 'spawn', delay_ms: 10 } }, /'delay_ms' does not apply to a fail/],
        [{ fault: { host: 'compute-1', kind: 'pause_bus' } }, /A pause_bus fault injection needs 'duration_s'/],
        [{ fault: { host: 'compute-1', kind: 'drop_heartbeat', duration_s: 5, operation: 'spawn' } }, /'operation' does not apply to a drop_heartbeat/],
        [{ fault: { host: 'compute-1', kind: 'fail', operation: 'spawn', count: 0 } }, /count/],
        [{ fault: { host: 'compute-1', kind: 'fail', operation: 'spawn', instance: 'not-a-uuid' } }, /instance/],
        [{ fault: { host: 'compute-1', kind: 'fail', operation: 'spawn', colour: 'red' } }, /additional|colour/],
      ];
      for (const [body, message] of bad) {
        const reply = await call('POST', '/nimbus/faults', { body });
        assert.equal(reply.status, 400, JSON.stringify(body));
        const fault = reply.json['badRequest'] as { code: number; message: string } | undefined;
        assert.equal(fault?.code, 400, JSON.stringify(reply.json));
        assert.match(fault.message, message);
      }
      const nowhere = await call('POST', '/nimbus/faults', { body: { fault: { host: 'nowhere', kind: 'fail', operation: 'spawn' } } });
      assert.deepEqual(nowhere.json, { itemNotFound: { code: 404, message: 'Compute host nowhere could not be found.' } });
      // camelCase driver names are taken too, and stored as the step name.
      const camel = await call('POST', '/nimbus/faults', { body: { fault: { host: 'compute-1', kind: 'fail', operation: 'preLiveMigration' } } });
      assert.deepEqual([(camel.json['fault'] as Record<string, unknown>)['operation'], (camel.json['fault'] as Record<string, unknown>)['remaining']], ['pre_live_migration', 1]);
      assert.equal(recorded.agent.filter((message) => message.verb === 'inject_fault').length, 1);
    }));
});
