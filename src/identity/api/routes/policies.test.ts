import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configureLogging } from '../../../common/logging/logger.js';
import { withIdentityApp } from '../testing/identity-test-app.js';

configureLogging({ sink: () => undefined });

type Json = Record<string, unknown>;
const policyOf = (json: Json) => json['policy'] as Json;
const errorOf = (json: Json) => (json['error'] as { message: string }).message;

describe('policies', () => {
  test("/v3/policies: the administrator's CRUD with a type filter; others 403; bad input 400 changing nothing", () =>
    withIdentityApp(async ({ call, tokenOf }) => {
      const [admin, demo] = [await tokenOf('admin'), await tokenOf('demo')];
      const created = await call('POST', '/v3/policies', { token: admin, body: { policy: { type: 'application/json', blob: '{"rule": "x"}', owner: 'ops' } } });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const id = String(policyOf(created.json)['id']);
      assert.deepEqual(policyOf(created.json), {
        owner: 'ops', id, type: 'application/json', blob: '{"rule": "x"}', links: { self: `http://cloud/identity/v3/policies/${id}` },
      });
      const other = policyOf((await call('POST', '/v3/policies', { token: admin, body: { policy: { type: 'text/yaml', blob: 'a: b' } } })).json);

      const ids = async (query = '') => ((await call('GET', `/v3/policies${query}`, { token: admin })).json['policies'] as Json[]).map((each) => each['id']).sort();
      assert.deepEqual(await ids(), [id, other['id']].sort());
      assert.deepEqual(await ids('?type=text/yaml'), [other['id']]);

      const updated = await call('PATCH', `/v3/policies/${id}`, { token: admin, body: { policy: { type: 'text/yaml' } } });
      assert.deepEqual([updated.status, policyOf(updated.json)['type'], policyOf(updated.json)['blob'], policyOf(updated.json)['owner']], [200, 'text/yaml', '{"rule": "x"}', 'ops']);
      assert.deepEqual(policyOf((await call('GET', `/v3/policies/${id}`, { token: admin })).json)['type'], 'text/yaml');

      for (const [method, path, body] of [['GET', '/v3/policies'], ['POST', '/v3/policies', { policy: { type: 't', blob: 'b' } }], ['GET', `/v3/policies/${id}`], ['PATCH', `/v3/policies/${id}`, { policy: { blob: 'mine' } }], ['DELETE', `/v3/policies/${id}`]] as const) {
        assert.equal((await call(method, path, { token: demo, body })).status, 403, `${method} ${path}`);
      }

      const before = await ids();
      const noBlob = await call('POST', '/v3/policies', { token: admin, body: { policy: { type: 't' } } });
      assert.deepEqual([noBlob.status, errorOf(noBlob.json)], [400, "Invalid input for field/attribute policy. Value: {\"type\":\"t\"}. 'blob' is a required property"]);
      assert.equal((await call('POST', '/v3/policies', { token: admin, body: { policy: { type: 'x'.repeat(256), blob: 'b' } } })).status, 400);
      assert.equal((await call('PATCH', `/v3/policies/${id}`, { token: admin, body: { policy: {} } })).status, 400);
      assert.equal((await call('PATCH', `/v3/policies/${id}`, { token: admin, body: { policy: { blob: 5 } } })).status, 400);
      assert.deepEqual(await ids(), before);
      assert.equal(policyOf((await call('GET', `/v3/policies/${id}`, { token: admin })).json)['blob'], '{"rule": "x"}');

      assert.equal((await call('DELETE', `/v3/policies/${id}`, { token: admin })).status, 204);
      const gone = await call('GET', `/v3/policies/${id}`, { token: admin });
      assert.deepEqual([gone.status, errorOf(gone.json)], [404, `Could not find policy: ${id}.`]);
      assert.equal((await call('DELETE', `/v3/policies/${id}`, { token: admin })).status, 404);
    }));
});
