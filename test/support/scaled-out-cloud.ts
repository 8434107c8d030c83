/**
 * The first steps of a test's scaled-out cloud (`nimbus serve` on a server database and
 * RabbitMQ): the schema and the bootstrap, and a small JSON client of its API.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNimbus } from './nimbus-process.js';
import { parseOpenrc, type OpenstackEnv } from './openstack-cli.js';

type Json = Record<string, unknown>;

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
