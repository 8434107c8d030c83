/**
 * A scaled-out cloud on a RabbitMQ node of its own, for the tests that restart or kill the broker
 * (test/faults/): `nimbus serve identity image compute` (API, conductor, scheduler) on PostgreSQL,
 * a compute agent on the fake driver in its own process, a blank image, and the few steps those
 * tests share (boot, wait until a server settles, count log lines). Everything it made is removed
 * when the test's function ends, however it ends.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../../src/common/errors/errors.js';
import { withTestDatabase } from './databases.js';
import { freePort } from './free-port.js';
import { runNimbus, type NimbusProcess } from './nimbus-process.js';
import { startPrivateRabbit, type PrivateRabbit } from './private-rabbitmq.js';
import { startRemoteComputeAgent, type RemoteComputeAgent } from './remote-compute-agent.js';
import { issuePasswordToken } from './password-token.js';
import { apiOf, prepareCloud, type Api } from './scaled-out-cloud.js';

type Json = Record<string, unknown>;

export interface PrivateBrokerCloud {
  readonly rabbit: PrivateRabbit;
  /** The API node, with the conductor and the scheduler. */
  readonly node: NimbusProcess;
  readonly agent: RemoteComputeAgent;
  /** The admin's client of the API. */
  readonly api: Api;
  readonly imageId: string;
}

/** A node starting beside a dozen other test processes on two cores took more than a minute. */
const STARTUP_MS = 180_000;
/** A node stops in a second or two; one still running after this hangs. */
const STOP_MS = 30_000;

export const BUS_LOST = /WARNING nimbus\.common\.bus .*Connection to RabbitMQ .* lost/;
export const BUS_RECONNECTED = /INFO nimbus\.common\.bus .*Reconnected to RabbitMQ/;

/** How many lines of the process's output match `pattern`. */
export function countLines(process: NimbusProcess, pattern: RegExp): number {
  return process.output().match(new RegExp(pattern.source, 'g'))?.length ?? 0;
}

/**
 * Runs `fn` against a new cloud whose hosts are named `<name>-api` and `<name>-compute`; then stops
 * the agent and the node (each must exit 0), drops the database, removes the broker and the state dir.
 */
export async function withPrivateBrokerCloud(name: string, fn: (cloud: PrivateBrokerCloud) => Promise<void>): Promise<void> {
  const rabbit = await startPrivateRabbit();
  process.stderr.write(`# private RabbitMQ ${rabbit.nodeName} started in ${Math.round(rabbit.startedInMs)} ms\n`);
  const stateDir = mkdtempSync(join(tmpdir(), `nimbus-${name}-`));
  try {
    await withTestDatabase('postgres', async (url) => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const env = {
        NIMBUS_STATE_DIR: stateDir,
        NIMBUS_DATABASE_CONNECTION: url,
        NIMBUS_BUS_TRANSPORT_URL: rabbit.url,
        NIMBUS_API_PORT: String(port),
        NIMBUS_HOST: `${name}-api`,
      };
      const admin = await prepareCloud(env);
      const reports = join(stateDir, 'reports');
      mkdirSync(reports);
      // A diagnostic report on SIGUSR2: what a node that does not stop is still waiting for.
      const node = runNimbus(['serve', 'identity', 'image', 'compute'], env, {
        nodeArgs: ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${reports}`],
      });
      // The test's own failure, kept: a node that then does not stop must not hide it, nor skip stopping it.
      let failure: unknown;
      try {
        await node.waitFor(/Serving identity, image, compute at/, STARTUP_MS);
        const agent = await startRemoteComputeAgent({ host: `${name}-compute`, driver: 'fake', busUrl: rabbit.url, serviceUser: admin });
        try {
          const api = apiOf(base, (await issuePasswordToken(base, admin)).token);
          const image = await api('/image/v2/images', { method: 'POST', body: { name: 'blank', disk_format: 'raw', container_format: 'bare' } });
          assert.equal(image.status, 201);
          const imageId = String(image.body['id']);
          const upload = await api(`/image/v2/images/${imageId}/file`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(1 << 16) });
          assert.equal(upload.status, 204);
          for (let attempt = 0; attempt < 100; attempt += 1) {
            if (((await api('/compute/v2.1/os-hypervisors')).body['hypervisors'] as Json[]).length > 0) break;
            await sleep(200);
          }
          await fn({ rabbit, node, agent, api, imageId });
        } finally {
          assert.equal(await agent.stop(), 0, agent.nimbus.output());
        }
      } catch (error) {
        failure = error;
      }
      node.child.kill('SIGTERM');
      // A node that does not stop fails the test with its log, rather than hanging it until the runner's timeout.
      const exit = await Promise.race([node.exited(), sleep(STOP_MS).then(() => 'still running')]);
      const waitingFor = exit === 'still running' ? await hangReport(node, reports) : '';
      if (exit === 'still running') node.child.kill('SIGKILL');
      if (failure === undefined) assert.equal(exit, 0, `${node.output().slice(-20_000)}${waitingFor}`);
      else {
        // The reporter prints an error's stack, which starts with its message: the node's side goes there.
        const stopped = exit === 0 ? 'the node then stopped' : `the node then did not stop (${String(exit)})${waitingFor}`;
        throw new Error(`${messageOf(failure)}\n${stopped}\nthe node's log, without its access lines:\n${withoutAccessLines(node.output()).slice(-20_000)}`, { cause: failure });
      }
    });
  } finally {
    await rabbit.remove();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** A log without the API's one line per request (a test polling a server writes thousands). */
function withoutAccessLines(log: string): string {
  return log
    .split('\n')
    .filter((line) => !/ INFO nimbus\.common\.http /.test(line))
    .join('\n');
}

/** The active handles (timers, sockets, child processes) of a node that does not stop, from its diagnostic report. */
async function hangReport(node: NimbusProcess, reports: string): Promise<string> {
  node.child.kill('SIGUSR2');
  for (let attempt = 0; attempt < 20 && readdirSync(reports).length === 0; attempt += 1) await sleep(250);
  const [file] = readdirSync(reports);
  if (file === undefined) return '\n(no diagnostic report came)';
  const report = JSON.parse(readFileSync(join(reports, file), 'utf8')) as { libuv?: { type: string; is_active?: boolean; [key: string]: unknown }[] };
  const handles = (report.libuv ?? []).filter((handle) => handle.is_active === true && handle['is_referenced'] !== false).map((handle) => JSON.stringify(handle));
  return `\nstill running after SIGTERM; the active handles that keep it alive:\n${handles.join('\n')}`;
}

/** Boots a server without a network (2.37's `none`: no network agent runs here); answers its id. */
export async function bootWithoutNetwork(api: Api, name: string, imageId: string): Promise<string> {
  const created = await api('/compute/v2.1/servers', {
    method: 'POST',
    headers: { 'openstack-api-version': 'compute 2.37' },
    body: { server: { name, imageRef: imageId, flavorRef: '1', networks: 'none' } },
  });
  assert.equal(created.status, 202, JSON.stringify(created.body));
  return String((created.body['server'] as Json)['id']);
}

/** Waits until the server leaves BUILD and its task state clears; answers it as shown then. */
export async function settledServer(api: Api, id: string): Promise<Json> {
  let server: Json = {};
  for (let attempt = 0; attempt < 300; attempt += 1) {
    server = (await api(`/compute/v2.1/servers/${id}`)).body['server'] as Json;
    if (server['status'] !== 'BUILD' && server['OS-EXT-STS:task_state'] === null) return server;
    await sleep(200);
  }
  return assert.fail(`server ${id} stays ${String(server['status'])}/${String(server['OS-EXT-STS:task_state'])}`);
}

/** Waits until the server shows `taskState` (the operation is at that step); fails the test if it never does. */
export async function reachedTaskState(api: Api, id: string, taskState: string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt += 1) {
    if (((await api(`/compute/v2.1/servers/${id}`)).body['server'] as Json)['OS-EXT-STS:task_state'] === taskState) return;
    await sleep(100);
  }
  assert.fail(`server ${id} never reached ${taskState}`);
}

/** Makes the next spawn on `host` take `delayMs` longer (failure injection), so a boot is mid-spawn for a while. */
export async function slowNextSpawn(api: Api, host: string, delayMs: number): Promise<void> {
  const slow = await api('/compute/v2.1/nimbus/faults', {
    method: 'POST',
    body: { fault: { host, kind: 'slow', operation: 'spawn', delay_ms: delayMs, count: 1 } },
  });
  assert.equal(slow.status, 201, JSON.stringify(slow.body));
}

/**
 * The checks that follow a broker outage once the cloud is back: a new boot goes ACTIVE, the server
 * `before` stops, every service of `name`'s cloud is up, and each process logged the loss and the
 * recovery once.
 */
export async function assertRecoveredCloud(name: string, { node, agent, api, imageId }: PrivateBrokerCloud, before: string): Promise<void> {
  const after = await bootWithoutNetwork(api, 'after-restart', imageId);
  assert.equal((await settledServer(api, after))['status'], 'ACTIVE');
  assert.equal((await api(`/compute/v2.1/servers/${before}/action`, { method: 'POST', body: { 'os-stop': null } })).status, 202);
  assert.equal((await settledServer(api, before))['status'], 'SHUTOFF');
  const services = (await api('/compute/v2.1/os-services')).body['services'] as Json[];
  assert.deepEqual(
    services.map((service) => `${String(service['binary'])}@${String(service['host'])}:${String(service['state'])}`).sort(),
    [`nova-compute@${name}-compute:up`, `nova-conductor@${name}-api:up`, `nova-scheduler@${name}-api:up`],
  );
  for (const process of [node, agent.nimbus]) {
    assert.equal(countLines(process, BUS_LOST), 1, 'the loss logged once');
    assert.equal(countLines(process, BUS_RECONNECTED), 1, 'the recovery logged once');
  }
}
