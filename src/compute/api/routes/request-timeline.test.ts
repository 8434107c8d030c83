import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runWithContext } from '../../../common/context/request-context.js';
import { ActionStore } from '../../db/action-store.js';
import { insertInstance, memberOf } from '../../db/testing/compute-db.js';
import { withComputeApp } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');

test("a request's timeline: the API's step, then the workers' events, each with service, host and result (admin only)", () =>
  withComputeApp(async ({ call, db }) => {
    const id = await insertInstance(db, 'demo');
    assert.equal((await call('POST', `/servers/${id}/action`, { body: { pause: null }, as: DEMO })).status, 202);
    // The agent's event, as it reaches the conductor under the request's context.
    const actions = new ActionStore(db);
    await runWithContext(DEMO, async () => {
      await actions.eventStart({ uuid: id, event: 'compute_pause_instance', host: 'compute-1' });
      await actions.eventFinish({ uuid: id, event: 'compute_pause_instance', host: 'compute-1', result: 'Success' });
    });

    const shown = await call('GET', `/nimbus/request-timelines/${DEMO.requestId}`);
    assert.equal(shown.status, 200);
    const timeline = shown.json['request_timeline'] as { request_id: string; actions: { action: string }[]; steps: Record<string, unknown>[] };
    assert.equal(timeline.request_id, DEMO.requestId);
    assert.deepEqual(timeline.actions.map((action) => action.action), ['pause']);
    assert.deepEqual(
      timeline.steps.map((step) => [step['service'], step['host'], step['step'], step['result'], step['details'], step['instance_uuid']]),
      [
        ['nova-api', 'api-1', 'POST /servers/{server_id}/action pause', 'Success', 'HTTP 202', id],
        ['nova-compute', 'compute-1', 'compute_pause_instance', 'Success', null, id],
      ],
    );
    const [api] = timeline.steps;
    assert.ok(String(api?.['start_time']) <= String(api?.['finish_time']));

    assert.equal((await call('GET', `/nimbus/request-timelines/${DEMO.requestId}`, { as: DEMO })).status, 403);
    const unknown = await call('GET', '/nimbus/request-timelines/req-00000000-0000-4000-8000-000000000000');
    assert.deepEqual([unknown.status, unknown.json], [404, { itemNotFound: { code: 404, message: 'Request req-00000000-0000-4000-8000-000000000000 could not be found.' } }]);
  }));

test('reads and refused changes leave no trace (a refused request changes nothing)', () =>
  withComputeApp(async ({ call, db }) => {
    const id = await insertInstance(db, 'demo', { vm_state: 'paused' });
    assert.equal((await call('GET', `/servers/${id}`, { as: DEMO })).status, 200);
    assert.equal((await call('POST', `/servers/${id}/action`, { body: { pause: null }, as: DEMO })).status, 409);
    assert.equal((await call('GET', `/nimbus/request-timelines/${DEMO.requestId}`)).status, 404);
    assert.equal((await call('POST', `/servers/${id}/action`, { body: { unpause: null }, as: DEMO })).status, 202);
    const steps = ((await call('GET', `/nimbus/request-timelines/${DEMO.requestId}`)).json['request_timeline'] as { steps: Record<string, unknown>[] }).steps;
    assert.deepEqual(steps.map((step) => [step['step'], step['result'], step['details']]), [['POST /servers/{server_id}/action unpause', 'Success', 'HTTP 202']]);
  }));
