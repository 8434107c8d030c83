import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { unavailable, withTestDatabase } from '../support/databases.js';
import { freePort } from '../support/free-port.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';
import { openstackCliUnavailable, parseOpenrc } from '../support/openstack-cli.js';
import { issuePasswordToken } from '../support/password-token.js';
import { RABBIT_URL, rabbitUnavailable } from '../support/rabbitmq.js';
import { serviceUserEnv } from '../support/remote-compute-agent.js';

// Failure injection (docs/FAULTS.md) when the compute agent is a process of its own that knows
// only RabbitMQ: the injection reaches it over the bus, and one made while it is away acts when it
// comes back (it reads its host's injections at start).
const rabbitSkip = await rabbitUnavailable();
const dialect = (await unavailable('postgres')) === false ? 'postgres' : 'mariadb';
const skip = rabbitSkip || (await unavailable(dialect)) || openstackCliUnavailable();

type Json = Record<string, unknown>;

describe(`failure injection into a compute agent process on ${dialect} and RabbitMQ`, { skip }, () => {
  test('fail spawn reaches the remote agent; a paused bus injected while it was down holds a build until cleared', async () => {
    await withTestDatabase(dialect, async (url) => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-faults-api-'));
      const agentDir = mkdtempSync(join(tmpdir(), 'nimbus-faults-agent-'));
      // OS_AUTH_URL empty: `nimbus fault` signs in as the state dir's bootstrap admin at the configured port.
      const env = {
        NIMBUS_STATE_DIR: stateDir,
        NIMBUS_DATABASE_CONNECTION: url,
        NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL,
        NIMBUS_API_PORT: String(port),
        NIMBUS_HOST: 'api-node',
        OS_AUTH_URL: '',
      };
      const agentEnv = { NIMBUS_STATE_DIR: agentDir, NIMBUS_DATABASE_CONNECTION: 'postgresql://nobody@127.0.0.1:1/none', NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL };
      const nimbus = async (args: readonly string[]): Promise<string> => {
        const run = runNimbus(args, env);
        assert.equal(await run.exited(), 0, run.output());
        return run.output();
      };
      const injectedId = (output: string): string => {
        const id = /^([0-9a-f-]{36})\s+compute-1\s/m.exec(output)?.[1];
        assert.ok(id !== undefined, output);
        return id;
      };
      let node: NimbusProcess | undefined;
      let agent: NimbusProcess | undefined;
      const stopAgent = async () => {
        agent?.child.kill('SIGTERM');
        if (agent !== undefined) assert.equal(await agent.exited(), 0, agent.output());
        agent = undefined;
      };
      try {
        for (const step of [['db', 'sync'], ['bootstrap']]) await nimbus(step);
        const admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
        node = runNimbus(['serve', 'identity', 'image', 'compute'], env);
        await node.waitFor(/Serving identity, image, compute at/);
        const startAgent = async () => {
          agent = runNimbus(['compute-agent', '--driver', 'fake', '--host', 'compute-1'], { ...agentEnv, ...serviceUserEnv(admin) });
          await agent.waitFor(/Compute agents? running for hosts? compute-1/, 60_000);
        };
        await startAgent();

        const { token } = await issuePasswordToken(base, admin);
        const api = async (path: string, init: RequestInit = {}): Promise<{ status: number; body: Json; requestId: string }> => {
          const response = await fetch(`${base}${path}`, { ...init, headers: { 'x-auth-token': token, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });
          const text = await response.text();
          return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json), requestId: response.headers.get('x-openstack-request-id') ?? '' };
        };
        const image = await api('/image/v2/images', { method: 'POST', body: JSON.stringify({ name: 'blank', disk_format: 'raw', container_format: 'bare' }) });
        assert.equal((await api(`/image/v2/images/${String(image.body['id'])}/file`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(1 << 16) })).status, 204);
        const boot = async (name: string) => {
          const created = await api('/compute/v2.1/servers', {
            method: 'POST', headers: { 'openstack-api-version': 'compute 2.37' },
            body: JSON.stringify({ server: { name, imageRef: image.body['id'], flavorRef: '1', networks: 'none' } }),
          });
          assert.equal(created.status, 202, JSON.stringify(created.body));
          return { id: String((created.body['server'] as Json)['id']), requestId: created.requestId };
        };
        const settled = async (id: string): Promise<Json> => {
          for (let attempt = 0; attempt < 300; attempt += 1) {
            const server = (await api(`/compute/v2.1/servers/${id}`)).body['server'] as Json;
            if (server['status'] === 'ACTIVE' || server['status'] === 'ERROR') return server;
            await sleep(200);
          }
          throw new Error(`server ${id} never settled`);
        };

        // fail: the next two spawns on compute-1 fail; the agent, in another process, hears of it over the bus.
        const failing = injectedId(await nimbus(['fault', 'inject', '--host', 'compute-1', '--kind', 'fail', '--operation', 'spawn', '--count', '2']));
        const vm1 = await boot('vm1');
        const failed = await settled(vm1.id);
        assert.equal(failed['status'], 'ERROR');
        assert.match(String((failed['fault'] as Json | undefined)?.['message']), new RegExp(`injected failure \\(fault injection ${failing}\\)`));
        assert.match(agent?.output() ?? '', new RegExp(`WARNING nimbus.compute.faults \\[${vm1.requestId} .*Fault injection ${failing} applied on compute-1: spawn fails`));
        // One use left, as `nimbus status` and `nimbus fault list` show (the agent recorded its use through the conductor).
        for (let attempt = 0; attempt < 50 && !/\s1\s+-\s*$/m.test(await nimbus(['fault', 'list'])); attempt += 1) await sleep(200);
        const status = runNimbus(['status'], env);
        await status.exited();
        assert.match(status.output(), new RegExp(`${failing}\\s+compute-1\\s+fail\\s+spawn\\s+\\*\\s+-\\s+1\\s+-`));
        assert.match(await nimbus(['fault', 'clear']), new RegExp(`cleared ${failing}`));
        assert.match(await nimbus(['fault', 'list']), /no active fault injections/);

        // pause_bus while the agent is away: it reads the injection at start and holds what comes in.
        await stopAgent();
        const pause = injectedId(await nimbus(['fault', 'inject', '--host', 'compute-1', '--kind', 'pause_bus', '--duration', '600']));
        await startAgent();
        assert.match(agent?.output() ?? '', new RegExp(`Fault injection ${pause} active on compute-1`));
        const vm2 = await boot('vm2');
        await agent?.waitFor(new RegExp(`\\[${vm2.requestId} .*Fault injection ${pause} applied on compute-1: message 'build_and_run_instance' waits`), 30_000);
        assert.equal(((await api(`/compute/v2.1/servers/${vm2.id}`)).body['server'] as Json)['status'], 'BUILD');
        assert.match(await nimbus(['fault', 'clear', pause]), new RegExp(`cleared ${pause}`));
        assert.equal((await settled(vm2.id))['status'], 'ACTIVE');
        assert.match(agent?.output() ?? '', new RegExp(`Fault injection ${pause} on compute-1 ended: it was cleared`));
      } finally {
        await stopAgent().catch(() => undefined);
        agent?.child.kill('SIGKILL');
        node?.child.kill('SIGTERM');
        if (node) await node.exited();
        rmSync(stateDir, { recursive: true, force: true });
        rmSync(agentDir, { recursive: true, force: true });
      }
    });
  });
});
