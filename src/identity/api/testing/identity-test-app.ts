/**
 * Test-only: the identity API as a node serves it — the real auth middleware, Fernet tokens,
 * scrypt passwords and the bootstrap's admin and demo personas — over a migrated SQLite database
 * in a temporary state dir. Requests carry real tokens.
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
import { TOKEN_POLICIES } from '../../auth/policies.js';
import { bootstrapIdentity } from '../../bootstrap/bootstrap.js';
import { identityMigrations } from '../../db/migrations/index.js';
import { startIdentityCore, type IdentityCore } from '../../identity-core.js';
import { IDENTITY_POLICIES } from '../../policies.js';
import { tokenMigrations } from '../../tokens/db/migrations/index.js';
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

export interface IdentityHarness {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly core: IdentityCore;
  /** A request under /identity (the path starts with /v3 or is empty). */
  readonly call: (method: string, path: string, options?: IdentityCallOptions) => Promise<IdentityReply>;
  /** A project-scoped token of the bootstrap's `admin` or `demo` user. */
  readonly tokenOf: (user: 'admin' | 'demo') => Promise<string>;
}

/** Runs fn with the identity API of a fresh, bootstrapped cloud; everything is removed afterwards. */
export async function withIdentityApp(fn: (harness: IdentityHarness) => Promise<void>): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'nimbus-identity-app-'));
  const config = loadConfig({ env: {}, file: '/dev/null', flags: { DEFAULT: { state_dir: stateDir } } });
  const db = await openDatabase(`sqlite://${join(stateDir, 'nimbus.sqlite')}`);
  let core: IdentityCore | undefined;
  let app: FastifyInstance | undefined;
  try {
    await migrateToLatest(db, identityMigrations);
    await migrateToLatest(db, tokenMigrations);
    core = await startIdentityCore(db, config);
    await bootstrapIdentity(core.managers, { adminPassword: ADMIN_PASSWORD, demoPassword: DEMO_PASSWORD, region: 'RegionOne', endpoints: [] });
    const publicUrl = 'http://cloud';
    const service = identityApi(
      {
        publicUrl,
        auth: { validator: core.validator, identityUri: () => `${publicUrl}/identity` },
        policy: createPolicyEnforcer({ defaults: [...IDENTITY_POLICIES, ...TOKEN_POLICIES] }),
      },
      core,
    );
    const built = buildHttpApp({ maxBodyBytes: 1 << 20, services: [service] });
    app = built;
    const call = async (method: string, path: string, { body, token, headers = {} }: IdentityCallOptions = {}): Promise<IdentityReply> => {
      const response = await built.inject({
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
    const tokens = new Map<string, string>();
    const tokenOf = async (user: 'admin' | 'demo'): Promise<string> => {
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
    await fn({ app: built, db, core, call, tokenOf });
  } finally {
    await app?.close();
    await core?.close();
    await db.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}
