/**
 * Test-only: the identity API as a node serves it — the real auth middleware, policy, Fernet
 * tokens and scrypt passwords — over a migrated SQLite database in a temporary state dir.
 * Requests carry real tokens. See IdentityAppOptions for the two cores it can serve.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../../common/config/load.js';
import type { Database } from '../../../common/db/database.js';
import { openDatabase } from '../../../cli/presets/databases.js';
import { migrateToLatest } from '../../../common/db/migrator.js';
import { buildHttpApp } from '../../../common/http/app.js';
import { createPolicyEnforcer } from '../../../common/policy/enforcer.js';
import { recordRoutes } from '../../../common/policy/testing/policy-matrix.js';
import { Authenticator } from '../../auth/authenticate.js';
import { TOKEN_POLICIES } from '../../auth/policies.js';
import { LocalTokenValidator } from '../../auth/token-validator.js';
import { bootstrapIdentity } from '../../bootstrap/bootstrap.js';
import { identityMigrations } from '../../db/migrations/index.js';
import { startIdentityCore, type IdentityCore } from '../../identity-core.js';
import { IDENTITY_POLICIES } from '../../policies.js';
import type { IdentityManagers } from '../../resources/index.js';
import { FAKE_HASHER, withIdentity } from '../../resources/testing/identity-fixture.js';
import { tokenMigrations } from '../../tokens/db/migrations/index.js';
import { FernetKeyRepository } from '../../tokens/key-repository.js';
import { MemoryRevocationStore } from '../../tokens/memory-revocation-store.js';
import { RevocationList } from '../../tokens/revocation.js';
import { TokenProvider } from '../../tokens/token-provider.js';
import { identityApi } from '../index.js';

export const ADMIN_PASSWORD = 'admin-secret';
export const DEMO_PASSWORD = 'demo-secret';

export interface IdentityReply {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>>;
}

export interface IdentityCallOptions {
  readonly body?: unknown;
  /** X-Auth-Token; absent: none is sent. */
  readonly token?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request under /identity (the path starts with /v3 or is empty). */
export type IdentityCall = (method: string, path: string, options?: IdentityCallOptions) => Promise<IdentityReply>;

export interface IdentityHarness {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly core: IdentityCore;
  readonly managers: IdentityManagers;
  readonly call: IdentityCall;
  /** A project-scoped token of the bootstrap's `admin` or `demo` user (the `node` core). */
  readonly tokenOf: (user: 'admin' | 'demo') => Promise<string>;
  /** Every route the identity plugin registered, `METHOD /v3/…`: filled once the app is ready (the first request readies it). */
  readonly routes: readonly string[];
}

export interface IdentityAppOptions {
  /**
   * `node` (the default): the core a node starts (scrypt, token-revoking events) and the
   * bootstrap's admin and demo. `bare`: only the Default domain, the fast test hasher and events
   * that revoke nothing, for tests that make many users and tokens of their own (the policy
   * matrix changes a persona's password and keeps using its token).
   */
  readonly core?: 'node' | 'bare';
}

function injectCall(app: FastifyInstance): IdentityCall {
  return async (method, path, { body, token, headers = {} } = {}) => {
    const response = await app.inject({
      method: method as 'GET',
      url: `/identity${path}`,
      headers: {
        ...(token === undefined ? {} : { 'x-auth-token': token }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const isJson = String(response.headers['content-type'] ?? '').startsWith('application/json') && response.body !== '';
    const replyHeaders = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, String(value)]));
    return { status: response.statusCode, json: isJson ? response.json<Record<string, unknown>>() : {}, headers: replyHeaders };
  };
}

/** Issues (once per user) a project-scoped token of a bootstrap persona. */
function bootstrapTokens(call: IdentityCall): (user: 'admin' | 'demo') => Promise<string> {
  const tokens = new Map<string, string>();
  return async (user) => {
    const known = tokens.get(user);
    if (known !== undefined) return known;
    const issued = await call('POST', '/v3/auth/tokens', {
      body: {
        auth: {
          identity: { methods: ['password'], password: { user: { name: user, domain: { id: 'default' }, password: user === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD } } },
          scope: { project: { name: user, domain: { id: 'default' } } },
        },
      },
    });
    const token = issued.headers['x-subject-token'];
    if (issued.status !== 201 || token === undefined) throw new Error(`could not issue a token for ${user}: ${issued.status}`);
    tokens.set(user, token);
    return token;
  };
}

/** The core as a node builds it (scrypt, revoking events, the DB revocation store) over a fresh state dir, with the bootstrap's personas. */
async function withNodeCore(fn: (core: IdentityCore, db: Database) => Promise<void>): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'nimbus-identity-app-'));
  const config = loadConfig({ env: {}, file: '/dev/null', flags: { DEFAULT: { state_dir: stateDir } } });
  const db = await openDatabase(`sqlite://${join(stateDir, 'nimbus.sqlite')}`);
  let core: IdentityCore | undefined;
  try {
    await migrateToLatest(db, identityMigrations);
    await migrateToLatest(db, tokenMigrations);
    core = await startIdentityCore(db, config);
    await bootstrapIdentity(core.managers, { adminPassword: ADMIN_PASSWORD, demoPassword: DEMO_PASSWORD, region: 'RegionOne', endpoints: [] });
    await fn(core, db);
  } finally {
    await core?.close();
    await db.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** A core over the managers' fixture: only the Default domain, the fast hasher, events recorded rather than revoking tokens. */
async function withBareCore(fn: (core: IdentityCore, db: Database) => Promise<void>): Promise<void> {
  await withIdentity('sqlite', async ({ managers, db }) => {
    const dir = await mkdtemp(join(tmpdir(), 'nimbus-identity-app-'));
    const revocations = new RevocationList(new MemoryRevocationStore(), { maxTokenLifetimeSeconds: 3600 });
    try {
      const keys = new FernetKeyRepository(join(dir, 'fernet-keys'));
      await keys.setup();
      await revocations.start();
      const tokens = new TokenProvider({ keys, revocations, lifetimeSeconds: 3600 });
      const core: IdentityCore = {
        managers, keys, tokens,
        validator: new LocalTokenValidator(managers, tokens),
        authenticator: new Authenticator(managers, tokens, FAKE_HASHER),
        close: async () => undefined,
      };
      await fn(core, db);
    } finally {
      await revocations.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
}

/** Runs fn with the identity API over a fresh core; everything is removed afterwards. */
export async function withIdentityApp(fn: (harness: IdentityHarness) => Promise<void>, { core: kind = 'node' }: IdentityAppOptions = {}): Promise<void> {
  await (kind === 'node' ? withNodeCore : withBareCore)(async (core, db) => {
    const publicUrl = 'http://cloud';
    const service = identityApi(
      {
        publicUrl,
        auth: { validator: core.validator, identityUri: () => `${publicUrl}/identity` },
        policy: createPolicyEnforcer({ defaults: [...IDENTITY_POLICIES, ...TOKEN_POLICIES] }),
      },
      core,
    );
    const routes: string[] = [];
    const app = buildHttpApp({
      maxBodyBytes: 1 << 20,
      services: [{
        ...service,
        routes: async (scope) => {
          recordRoutes(scope, '/identity', routes);
          await scope.register(service.routes);
        },
      }],
    });
    try {
      const call = injectCall(app);
      await fn({ app, db, core, managers: core.managers, call, tokenOf: bootstrapTokens(call), routes });
    } finally {
      await app.close();
    }
  });
}
