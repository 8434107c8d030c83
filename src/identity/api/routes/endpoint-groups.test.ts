import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configureLogging } from '../../../common/logging/logger.js';
import { withIdentityApp } from '../testing/identity-test-app.js';

configureLogging({ sink: () => undefined });

type Json = Record<string, unknown>;
const groupOf = (json: Json) => json['endpoint_group'] as Json;
const errorOf = (json: Json) => (json['error'] as { message: string }).message;
const PATH = '/v3/OS-EP-FILTER/endpoint_groups';

describe('endpoint groups', () => {
  test("OS-EP-FILTER endpoint groups: the administrator's CRUD, HEAD check, name filter; filters validated; others 403", () =>
    withIdentityApp(async ({ call, tokenOf }) => {
      const [admin, demo] = [await tokenOf('admin'), await tokenOf('demo')];
      const created = await call('POST', PATH, { token: admin, body: { endpoint_group: { name: 'computes', description: 'nova', filters: { service_id: 's1' } } } });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const group = groupOf(created.json);
      const id = String(group['id']);
      assert.deepEqual(group, { id, name: 'computes', description: 'nova', filters: { service_id: 's1' }, links: { self: `http://cloud/identity${PATH}/${id}` } });
      const other = groupOf((await call('POST', PATH, { token: admin, body: { endpoint_group: { name: 'public', filters: { interface: 'public' } } } })).json);
      assert.equal(other['description'], null);

      const listed = (await call('GET', PATH, { token: admin })).json['endpoint_groups'] as Json[];
      assert.deepEqual(listed.map((each) => each['id']).sort(), [id, other['id']].sort());
      assert.deepEqual(listed.find((each) => each['id'] === id), group, 'listed as created');
      assert.deepEqual(((await call('GET', `${PATH}?name=public`, { token: admin })).json['endpoint_groups'] as Json[]).map((each) => each['id']), [other['id']]);
      assert.equal((await call('HEAD', `${PATH}/${id}`, { token: admin })).status, 200);

      const updated = await call('PATCH', `${PATH}/${id}`, { token: admin, body: { endpoint_group: { name: 'renamed', filters: { service_id: 's2', region_id: 'RegionOne' } } } });
      assert.equal(updated.status, 200);
      assert.deepEqual([groupOf(updated.json)['name'], groupOf(updated.json)['description'], groupOf(updated.json)['filters']], ['renamed', 'nova', { service_id: 's2', region_id: 'RegionOne' }]);

      assert.equal((await call('GET', PATH, { token: demo })).status, 403);
      assert.equal((await call('GET', `${PATH}/${id}`, { token: demo })).status, 403);
      assert.equal((await call('POST', PATH, { token: demo, body: { endpoint_group: { name: 'x', filters: { interface: 'public' } } } })).status, 403);
      assert.equal((await call('DELETE', `${PATH}/${id}`, { token: demo })).status, 403);

      const bad = async (body: Json) => call('POST', PATH, { token: admin, body: { endpoint_group: body } });
      const badKey = await bad({ name: 'x', filters: { project_id: 'p' } });
      assert.deepEqual([badKey.status, errorOf(badKey.json)], [400, 'Expecting to find service_id or region_id or interface in endpoint_group. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.']);
      const empty = await bad({ name: 'x', filters: {} });
      assert.deepEqual([empty.status, errorOf(empty.json)], [400, 'filters field is required and cannot be empty']);
      assert.equal((await bad({ name: 'x' })).status, 400);
      assert.equal((await bad({ filters: { interface: 'public' } })).status, 400);
      assert.equal((await bad({ name: 'x', filters: { interface: 'public' }, colour: 'red' })).status, 400);
      const patchBad = await call('PATCH', `${PATH}/${id}`, { token: admin, body: { endpoint_group: { filters: { nope: 1 } } } });
      assert.equal(patchBad.status, 400);
      assert.equal(((await call('GET', PATH, { token: admin })).json['endpoint_groups'] as Json[]).length, 2);
      assert.deepEqual(groupOf((await call('GET', `${PATH}/${id}`, { token: admin })).json)['filters'], { service_id: 's2', region_id: 'RegionOne' });

      assert.equal((await call('DELETE', `${PATH}/${id}`, { token: admin })).status, 204);
      const gone = await call('GET', `${PATH}/${id}`, { token: admin });
      assert.deepEqual([gone.status, errorOf(gone.json)], [404, `Could not find Endpoint Group: ${id}.`]);
    }));
});
