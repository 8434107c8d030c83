import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { configureLogging } from '../../../common/logging/logger.js';
import { tokenFingerprint } from '../../../common/logging/token-redaction.js';
import { withIdentityApp } from '../testing/identity-test-app.js';

const lines: string[] = [];
configureLogging({ sink: (line) => lines.push(line) });

/** Every line logged while fn ran. */
async function logsOf(fn: () => Promise<void>): Promise<string> {
  lines.length = 0;
  await fn();
  return lines.join('\n');
}

describe('tokens never reach the log whole', () => {
  test('refused X-Auth-Token, X-Service-Token, X-Subject-Token and a token to rescope: 401/404, the log names a fingerprint only', () =>
    withIdentityApp(async ({ call, tokenOf }) => {
      const admin = await tokenOf('admin');
      const demo = await tokenOf('demo');
      assert.equal((await call('DELETE', '/v3/auth/tokens', { token: admin, headers: { 'x-subject-token': demo } })).status, 204);
      const garbage = `not-a-token-${randomBytes(24).toString('hex')}`;
      const tampered = `${admin.slice(0, -8)}AAAAAAAA`;

      const log = await logsOf(async () => {
        for (const bad of [garbage, tampered, demo]) {
          assert.equal((await call('GET', '/v3/auth/tokens', { token: admin, headers: { 'x-subject-token': bad } })).status, 404);
          assert.equal((await call('HEAD', '/v3/auth/tokens', { token: admin, headers: { 'x-subject-token': bad } })).status, 404);
          assert.equal((await call('GET', '/v3/projects', { token: bad })).status, 401);
          // Rescoping a revoked or invalid token: Keystone's TokenNotFound, 404.
          const rescope = await call('POST', '/v3/auth/tokens', { body: { auth: { identity: { methods: ['token'], token: { id: bad } } } } });
          assert.deepEqual([rescope.status, (rescope.json['error'] as { message: string }).message], [404, 'Failed to validate token']);
          assert.equal((await call('GET', '/v3/projects', { token: admin, headers: { 'x-service-token': bad } })).status, 401);
        }
      });
      for (const token of [garbage, tampered, demo, admin]) {
        assert.ok(!log.includes(token), `the whole token is in the log:\n${log}`);
        assert.ok(!log.includes(token.slice(20, 60)), 'no long piece of it either');
      }
      assert.match(log, new RegExp(`Could not find token: ${tokenFingerprint(garbage)}`), 'the fingerprint lets an operator match a refused token');
    }));
});
