/**
 * The first steps of a test's scaled-out cloud (`nimbus serve` on a server database and
 * RabbitMQ): the schema and the bootstrap, the admin's token, and a small JSON client of its API.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNimbus } from './nimbus-process.js';
import { parseOpenrc, type OpenstackEnv } from './openstack-cli.js';

type Json = Record<string, unknown>;

/** A request that cannot hang: a cloud that never answers fails the test instead of stalling it. */
const NO_HANG_MS = 15_000;

export interface Api {
  (path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: Json }>;
}

/** `nimbus db sync` and `nimbus bootstrap` with `env` (its NIMBUS_STATE_DIR included); answers the admin's openrc. */
export async function prepareCloud(env: NodeJS.ProcessEnv): Promise<OpenstackEnv> {
  for (const step of [['db', 'sync'], ['bootstrap']]) {
    const run = runNimbus(step, env);
    assert.equal(await run.exited(), 0, run.output());
  }
  return parseOpenrc(readFileSync(join(String(env['NIMBUS_STATE_DIR']), 'admin-openrc'), 'utf8'));
}

/** Asks the cloud at `base` for a token of the admin, scoped to the admin project: the response as it comes. */
export function requestAdminToken(base: string, admin: OpenstackEnv): Promise<Response> {
  return fetch(`${base}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: admin['OS_PASSWORD'] } } },
        scope: { project: { name: 'admin', domain: { id: 'default' } } },
      },
    }),
    signal: AbortSignal.timeout(NO_HANG_MS),
  });
}

/** A JSON client of the cloud at `base` with `token`; a Buffer body goes as it is. */
export function apiOf(base: string, token: string): Api {
  return async (path, init = {}) => {
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'x-auth-token': token, 'content-type': 'application/json', ...init.headers },
      body: init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : JSON.stringify(init.body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
  };
}
