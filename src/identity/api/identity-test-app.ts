/**
 * Test-only: the whole identity API (version documents, /v3/auth, resources) as the composition
 * root builds it — real Fernet tokens, the real auth middleware and policy — over a fresh SQLite
 * database with the fast fake password hasher.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildHttpApp } from '../../common/http/app.js';
import { createPolicyEnforcer } from '../../common/policy/enforcer.js';
import { recordRoutes } from '../../common/policy/testing/policy-matrix.js';
import { Authenticator } from '../auth/authenticate.js';
import { TOKEN_POLICIES } from '../auth/policies.js';
import { LocalTokenValidator } from '../auth/token-validator.js';
import type { IdentityCore } from '../identity-core.js';
import { IDENTITY_POLICIES } from '../policies.js';
import type { IdentityManagers } from '../resources/index.js';
import { FAKE_HASHER, withIdentity } from '../resources/testing/identity-fixture.js';
import { FernetKeyRepository } from '../tokens/key-repository.js';
import { MemoryRevocationStore } from '../tokens/memory-revocation-store.js';
import { RevocationList } from '../tokens/revocation.js';
import { TokenProvider } from '../tokens/token-provider.js';
import { identityApi } from './index.js';

export interface IdentityReply {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>>;
}
export type IdentityCall = (
  method: string,
  path: string,
  options?: { readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> },
) => Promise<IdentityReply>;

export interface IdentityApp {
  readonly managers: IdentityManagers;
  /** A request under `/identity` (paths start with `/v3/…`). */
  readonly call: IdentityCall;
  /** Every route the identity plugin registered, `METHOD /v3/…`. */
  readonly routes: readonly string[];
}

export async function withIdentityApp(fn: (app: IdentityApp) => Promise<void>): Promise<void> {
  await withIdentity('sqlite', async ({ managers }) => {
    const dir = await mkdtemp(join(tmpdir(), 'nimbus-identity-app-'));
    const revocations = new RevocationList(new MemoryRevocationStore(), { maxTokenLifetimeSeconds: 3600 });
    try {
      const keys = new FernetKeyRepository(join(dir, 'fernet-keys'));
      await keys.setup();
      await revocations.start();
      const tokens = new TokenProvider({ keys, revocations, lifetimeSeconds: 3600 });
      const validator = new LocalTokenValidator(managers, tokens);
      const core: IdentityCore = {
        managers, keys, tokens, validator,
        authenticator: new Authenticator(managers, tokens, FAKE_HASHER),
        close: async () => undefined,
      };
      const publicUrl = 'http://cloud';
      const api = identityApi(
        {
          publicUrl,
          auth: { validator, identityUri: () => `${publicUrl}/identity` },
          policy: createPolicyEnforcer({ defaults: [...IDENTITY_POLICIES, ...TOKEN_POLICIES] }),
        },
        core,
      );
      let routes: string[] = [];
      const app: FastifyInstance = buildHttpApp({
        maxBodyBytes: 65536,
        services: [{
          ...api,
          routes: async (scope) => {
            routes = recordRoutes(scope, '/identity');
            await scope.register(api.routes);
          },
        }],
      });
      try {
        await app.ready();
        const call: IdentityCall = async (method, path, { body, headers = {} } = {}) => {
          const response = await app.inject({
            method: method as 'GET',
            url: `/identity${path}`,
            headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
            ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
          });
          const isJson = String(response.headers['content-type'] ?? '').startsWith('application/json');
          const replyHeaders = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, String(value)]));
          return { status: response.statusCode, json: isJson ? response.json<Record<string, unknown>>() : {}, headers: replyHeaders };
        };
        await fn({ managers, call, routes });
      } finally {
        await app.close();
      }
    } finally {
      await revocations.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
