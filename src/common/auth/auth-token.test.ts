import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { currentContext } from '../context/request-context.js';
import { Unauthorized } from '../errors/errors.js';
import { buildHttpApp } from '../http/app.js';
import { configureLogging } from '../logging/logger.js';
import { authenticated } from './auth-token.js';
import type { AuthenticatedToken, TokenValidator } from './token-validator.js';

configureLogging({ sink: () => undefined });

const TOKENS: Readonly<Record<string, AuthenticatedToken>> = {
  'member-token': {
    userId: 'u1', userName: 'ursula', userDomainId: 'default', projectId: 'p1', projectName: 'bravo',
    projectDomainId: 'default', roles: ['member', 'reader'], expiresAt: new Date(Date.now() + 3600_000),
  },
  'service-token': {
    userId: 'nova', userName: 'nova', userDomainId: 'default', projectId: 'svc', roles: ['service'],
    expiresAt: new Date(Date.now() + 3600_000),
  },
};

const validator: TokenValidator = {
  validate: (token) => {
    const found = TOKENS[token];
    return found === undefined ? Promise.reject(new Unauthorized('The request you have made requires authentication.')) : Promise.resolve(found);
  },
};

let handled = 0;
const app = buildHttpApp({
  maxBodyBytes: 4096,
  services: [
    {
      name: 'compute',
      prefix: '/compute',
      faultFormat: 'nova',
      routes: authenticated(
        { validator, identityUri: () => 'http://cloud/identity' },
        async (scope) => {
          scope.get('/', { config: { public: true } }, async () => ({ versions: [] }));
          scope.get('/whoami', async () => {
            handled += 1;
            return currentContext() ?? {};
          });
        },
      ),
    },
  ],
});

describe('auth_token middleware', () => {
  test('a public route needs no token', async () => {
    assert.equal((await app.inject({ url: '/compute/' })).statusCode, 200);
  });

  test('no token, or an invalid one, is a 401 pointing at identity; the handler never runs', async () => {
    for (const headers of [{}, { 'x-auth-token': 'forged' }, { 'x-auth-token': '' }]) {
      const response = await app.inject({ url: '/compute/whoami', headers });
      assert.equal(response.statusCode, 401);
      assert.equal(response.headers['www-authenticate'], 'Keystone uri="http://cloud/identity"');
      assert.deepEqual(response.json(), {
        unauthorized: { code: 401, message: 'The request you have made requires authentication.' },
      });
    }
    assert.equal(handled, 0);
  });

  test("a valid token puts the caller's identity in the request context", async () => {
    const response = await app.inject({ url: '/compute/whoami', headers: { 'x-auth-token': 'member-token' } });
    assert.equal(response.statusCode, 200);
    const context = response.json<Record<string, unknown>>();
    assert.equal(context['userId'], 'u1');
    assert.equal(context['projectId'], 'p1');
    assert.deepEqual(context['roles'], ['member', 'reader']);
    assert.equal(context['isAdmin'], false);
    assert.equal(context['serviceRoles'], undefined);
  });

  test('a service token must be valid too, and its roles are kept apart', async () => {
    const bad = await app.inject({ url: '/compute/whoami', headers: { 'x-auth-token': 'member-token', 'x-service-token': 'forged' } });
    assert.equal(bad.statusCode, 401);
    const good = await app.inject({
      url: '/compute/whoami',
      headers: { 'x-auth-token': 'member-token', 'x-service-token': 'service-token' },
    });
    const context = good.json<Record<string, unknown>>();
    assert.deepEqual(context['serviceRoles'], ['service']);
    assert.deepEqual(context['roles'], ['member', 'reader'], "the user's roles stay the user's");
  });
});
