/**
 * The cloud's REST API with the credentials of an `openstack` CLI environment, for what tests
 * poll while they wait: a CLI run costs ~1.8 s of CPU (Python, plugins, cliff's epilogs) that
 * the other test lane needs, a request a few milliseconds. Steps under test and the CLI output a
 * test asserts on stay on the CLI.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OpenstackEnv } from './openstack-cli.js';
import { issuePasswordToken } from './password-token.js';

type Json = Record<string, unknown>;

/** A request that cannot hang: a cloud that never answers fails the poll instead of stalling it. */
const NO_HANG_MS = 15_000;

export interface OpenstackRest {
  /** `method path` on the cloud (`/compute/v2.1/…`, `/volume/v3/{project}/…`, `/network/v2.0/…`). */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }>;
  /** GET of `path`, failing unless it answers 200. */
  get(path: string): Promise<Json>;
  /** The server named `name` (or of that id) as GET /servers/detail shows it to the env's project; undefined when none is. */
  server(name: string): Promise<Json | undefined>;
  /** The same, failing when there is none. */
  serverNamed(name: string): Promise<Json>;
  /** The volume named `name` (or of that id) as GET /volumes/detail shows it to the env's project; undefined when none is. */
  volume(name: string): Promise<Json | undefined>;
  /** The same for a snapshot or a backup (or a volume). */
  cinder(collection: 'volumes' | 'snapshots' | 'backups', name: string): Promise<Json | undefined>;
  /** What the server's console log holds now (os-getConsoleOutput, as `console log show` reads it); empty while it builds. */
  consoleLog(serverId: string): Promise<string>;
}

/** A REST client of the cloud at the env's OS_AUTH_URL (`<base>/identity`), as the env's user. */
export function openstackRest(env: OpenstackEnv): OpenstackRest {
  const base = String(env['OS_AUTH_URL']).replace(/\/identity(\/v3)?\/?$/, '');
  let issued: Promise<{ token: string; projectId: string }> | undefined;
  const auth = () =>
    (issued ??= issuePasswordToken(base, env).catch((error: unknown) => {
      // A cloud not answering yet is asked again at the next poll.
      issued = undefined;
      throw error;
    }));

  async function request(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
    for (let tries = 0; ; tries += 1) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { 'x-auth-token': (await auth()).token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(NO_HANG_MS),
      });
      const text = await response.text();
      // A token can outlive its welcome (a restarted controller, a long test): one fresh token, then the answer as it is.
      if (response.status === 401 && tries === 0) {
        issued = undefined;
        continue;
      }
      return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Json) };
    }
  }
  async function get(path: string): Promise<Json> {
    const reply = await request('GET', path);
    if (reply.status !== 200) throw new Error(`GET ${path}: ${reply.status} ${JSON.stringify(reply.json)}`);
    return reply.json;
  }
  // By name or id, as the CLI takes either.
  const named = (items: unknown, name: string) => (items as Json[]).find((item) => item['name'] === name || item['id'] === name);
  const server = async (name: string) => named((await get('/compute/v2.1/servers/detail'))['servers'], name);
  const cinder = async (collection: string, name: string) => named((await get(`/volume/v3/${(await auth()).projectId}/${collection}/detail`))[collection], name);

  return {
    request,
    get,
    server,
    async serverNamed(name) {
      const found = await server(name);
      if (found === undefined) throw new Error(`no server ${name}`);
      return found;
    },
    volume: (name) => cinder('volumes', name),
    cinder,
    async consoleLog(serverId) {
      const reply = await request('POST', `/compute/v2.1/servers/${serverId}/action`, { 'os-getConsoleOutput': {} });
      // Nova's 409 while the server builds: no console yet, nothing printed.
      if (reply.status === 409) return '';
      if (reply.status !== 200) throw new Error(`console log of ${serverId}: ${reply.status} ${JSON.stringify(reply.json)}`);
      return String(reply.json['output']);
    },
  };
}

/**
 * Calls `probe` every `intervalMs` until it answers something other than undefined and returns
 * that; past `timeoutMs` it fails naming `what`. A probe that throws fails the wait at once.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Polls `poll` (a server read over REST) until `done` holds of it, an ERROR failing at once unless
 * `done` awaits it; then answers `show()` (the CLI's `server show`), asserting `done` holds there
 * too, so callers see what the CLI shows.
 */
export async function serverSettled(
  what: string,
  poll: () => Promise<Json>,
  show: () => Promise<Json>,
  done: (server: Json) => boolean,
  timeoutMs: number,
  intervalMs = 200,
): Promise<Json> {
  let last: Json | undefined;
  await pollUntil(
    what,
    async () => {
      const server = await poll();
      last = server;
      if (done(server)) return true;
      if (server['status'] === 'ERROR') throw new Error(`waiting for ${what}: went to ERROR: ${JSON.stringify(server['fault'])}`);
      return undefined;
    },
    timeoutMs,
    intervalMs,
  ).catch((error: unknown) => {
    if (last === undefined || last['status'] === 'ERROR') throw error;
    const seen = ['status', 'OS-EXT-STS:task_state', 'OS-EXT-SRV-ATTR:host'].map((key) => `${key} ${String(last?.[key])}`).join(', ');
    throw new Error(`${String(error instanceof Error ? error.message : error)}; last seen: ${seen}`);
  });
  const shown = await show();
  assert.ok(done(shown), `waiting for ${what}: server show says ${JSON.stringify(shown)}`);
  return shown;
}
