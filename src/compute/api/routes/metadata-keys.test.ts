import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN, memberOf } from '../../db/testing/compute-db.js';
import { IMAGE_ID, withComputeApp } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');
const KEY_PATTERN = '^[a-zA-Z0-9-_:. ]{1,255}$';
/** Keys Nova's parameter_types.metadata refuses: empty, too long, outside its alphabet. */
const BAD_KEYS = ['', 'k'.repeat(256), 'a/b', 'ключ', 'a\u0001b'];

describe('compute routes: metadata and extra-spec keys', () => {
  test("server metadata, server create and rebuild metadata: Nova's key alphabet and 255-character values, 400 and nothing stored", () =>
    withComputeApp(async ({ call }) => {
      const created = await call('POST', '/servers', { body: { server: { name: 'vm', imageRef: IMAGE_ID, flavorRef: '1', metadata: { ok: 'v' } } }, as: DEMO });
      assert.equal(created.status, 202);
      const id = String((created.json['server'] as Record<string, unknown>)['id']);
      for (const key of BAD_KEYS) {
        for (const [method, path, body] of [
          ['POST', `/servers/${id}/metadata`, { metadata: { [key]: 'v' } }],
          ['PUT', `/servers/${id}/metadata`, { metadata: { [key]: 'v' } }],
          ['POST', '/servers', { server: { name: 'vm2', imageRef: IMAGE_ID, flavorRef: '1', metadata: { [key]: 'v' } } }],
          ['POST', `/servers/${id}/action`, { rebuild: { imageRef: IMAGE_ID, metadata: { [key]: 'v' } } }],
        ] as const) {
          const refused = await call(method, path, { body, as: DEMO });
          assert.equal(refused.status, 400, `${method} ${path} ${JSON.stringify(key)}: ${JSON.stringify(refused.json)}`);
          assert.match(String((refused.json['badRequest'] as Record<string, unknown>)['message']), /does not match any of the regexes/);
        }
      }
      const long = await call('POST', `/servers/${id}/metadata`, { body: { metadata: { ok: 'v'.repeat(256) } }, as: DEMO });
      assert.equal(long.status, 400, 'a value over 255 characters');
      assert.deepEqual((await call('GET', `/servers/${id}/metadata`, { as: DEMO })).json, { metadata: { ok: 'v' } }, 'nothing stored');
      assert.equal(((await call('GET', '/servers', { as: DEMO })).json['servers'] as unknown[]).length, 1, 'no server created');
      const refusedMessage = await call('POST', `/servers/${id}/metadata`, { body: { metadata: { 'a/b': 'v' } }, as: DEMO });
      assert.equal(
        (refusedMessage.json['badRequest'] as Record<string, unknown>)['message'],
        `Invalid input for field/attribute metadata. Value: {"a/b":"v"}. 'a/b' does not match any of the regexes: '${KEY_PATTERN}'`,
      );
    }));

  test('flavor extra specs and aggregate metadata: the same key alphabet, 400 and nothing stored', () =>
    withComputeApp(async ({ call }) => {
      const aggregate = await call('POST', '/os-aggregates', { body: { aggregate: { name: 'agg' } }, as: ADMIN });
      const aggregateId = String((aggregate.json['aggregate'] as Record<string, unknown>)['id']);
      for (const key of BAD_KEYS) {
        const spec = await call('POST', '/flavors/1/os-extra_specs', { body: { extra_specs: { [key]: 'c' } }, as: ADMIN });
        assert.equal(spec.status, 400, `extra spec ${JSON.stringify(key)}`);
        const meta = await call('POST', `/os-aggregates/${aggregateId}/action`, { body: { set_metadata: { metadata: { [key]: 'c' } } }, as: ADMIN });
        assert.equal(meta.status, 400, `aggregate metadata ${JSON.stringify(key)}`);
      }
      assert.equal((await call('POST', '/flavors/1/os-extra_specs', { body: { extra_specs: { 'hw:cpu_policy': 'v'.repeat(256) } }, as: ADMIN })).status, 400);
      assert.deepEqual((await call('GET', '/flavors/1/os-extra_specs', { as: ADMIN })).json, { extra_specs: {} });
      const shown = (await call('GET', `/os-aggregates/${aggregateId}`, { as: ADMIN })).json['aggregate'] as Record<string, unknown>;
      assert.deepEqual(shown['metadata'], {});
      assert.equal((await call('POST', '/flavors/1/os-extra_specs', { body: { extra_specs: { 'hw:cpu_policy': 'dedicated', 'a b.c-d_e': 1 } }, as: ADMIN })).status, 200);
    }));
});
