import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configureLogging } from '../../../common/logging/logger.js';
import { withIdentityApp } from '../testing/identity-test-app.js';

const lines: string[] = [];
configureLogging({ sink: (line) => lines.push(line) });

type Json = Record<string, unknown>;
const consumerOf = (json: Json) => json['consumer'] as Json;
const errorOf = (json: Json) => (json['error'] as { message: string }).message;
const PATH = '/v3/OS-OAUTH1/consumers';

describe('OAuth1 consumers', () => {
  test('OS-OAUTH1 consumers: the secret shown once, CRUD by the administrator, the secret never updated, others 403', () =>
    withIdentityApp(async ({ call, tokenOf }) => {
      const [admin, demo] = [await tokenOf('admin'), await tokenOf('demo')];
      lines.length = 0;
      const created = await call('POST', PATH, { token: admin, body: { consumer: { description: 'portal', contact: 'ops' } } });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const consumer = consumerOf(created.json);
      const id = String(consumer['id']);
      const secret = String(consumer['secret']);
      assert.match(secret, /^[0-9a-f]{32}$/);
      assert.deepEqual(consumer, { contact: 'ops', id, description: 'portal', secret, links: { self: `http://cloud/identity${PATH}/${id}` } });
      assert.ok(!lines.join('\n').includes(secret), 'the secret is never logged');

      const shown = consumerOf((await call('GET', `${PATH}/${id}`, { token: admin })).json);
      assert.deepEqual(shown, { contact: 'ops', id, description: 'portal', links: consumer['links'] }, 'shown without its secret');
      assert.deepEqual(((await call('GET', PATH, { token: admin })).json['consumers'] as Json[]).map((each) => [each['id'], each['secret']]), [[id, undefined]]);

      const updated = await call('PATCH', `${PATH}/${id}`, { token: admin, body: { consumer: { description: 'renamed' } } });
      assert.deepEqual([updated.status, consumerOf(updated.json)['description'], consumerOf(updated.json)['contact']], [200, 'renamed', 'ops']);
      const withSecret = await call('PATCH', `${PATH}/${id}`, { token: admin, body: { consumer: { secret: 'mine' } } });
      assert.equal(withSecret.status, 400);
      assert.equal((await call('POST', PATH, { token: admin, body: { consumer: { description: 'x'.repeat(65) } } })).status, 400);
      assert.equal(((await call('GET', PATH, { token: admin })).json['consumers'] as Json[]).length, 1);

      for (const [method, path] of [['GET', PATH], ['POST', PATH], ['GET', `${PATH}/${id}`], ['DELETE', `${PATH}/${id}`]] as const) {
        assert.equal((await call(method, path, { token: demo, body: method === 'POST' ? { consumer: {} } : undefined })).status, 403, `${method} ${path}`);
      }

      assert.equal((await call('DELETE', `${PATH}/${id}`, { token: admin })).status, 204);
      const gone = await call('GET', `${PATH}/${id}`, { token: admin });
      assert.deepEqual([gone.status, errorOf(gone.json)], [404, 'Consumer not found']);
    }));
});
