import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { unavailable, withTestDatabase } from '../support/databases.js';
import { freePort } from '../support/free-port.js';
import { runNimbus } from '../support/nimbus-process.js';
import { openstackCliUnavailable, openstackJson, parseOpenrc } from '../support/openstack-cli.js';
import { openstackRest, pollUntil } from '../support/openstack-rest.js';
import { issuePasswordToken } from '../support/password-token.js';
import { RABBIT_URL, rabbitUnavailable } from '../support/rabbitmq.js';
import { serviceUserEnv } from '../support/remote-compute-agent.js';

// Issue 5's scaled-out compute: an API node (conductor + scheduler, no agents) and a separate
// `nimbus compute-agent --hosts 2 --host rack` process (hosts rack-1 and rack-2) that knows only the bus, on a server database and RabbitMQ.
const rabbitSkip = await rabbitUnavailable();
const dialect = (await unavailable('postgres')) === false ? 'postgres' : 'mariadb';
const skip = rabbitSkip || (await unavailable(dialect)) || openstackCliUnavailable();

type Json = Record<string, unknown>;

async function call(url: string, init: RequestInit & { token: string }): Promise<{ status: number; body: Json }> {
  const response = await fetch(url, { ...init, headers: { 'x-auth-token': init.token, ...(init.headers as Record<string, string> | undefined) } });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
}

describe(`nimbus compute-agent against serve compute on ${dialect} and RabbitMQ`, { skip }, () => {
  test('agents in their own process boot a server and show in compute service list', async () => {
    await withTestDatabase(dialect, async (url) => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-api-node-'));
      const agentDir = mkdtempSync(join(tmpdir(), 'nimbus-agent-node-'));
      const env = {
        NIMBUS_STATE_DIR: stateDir,
        NIMBUS_DATABASE_CONNECTION: url,
        NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL,
        NIMBUS_API_PORT: String(port),
        NIMBUS_HOST: 'api-node',
      };
      // The agents' host knows the bus and a service user only: a database URL that answers nowhere proves they never use one.
      const agentEnv = {
        NIMBUS_STATE_DIR: agentDir,
        NIMBUS_DATABASE_CONNECTION: 'postgresql://nobody@127.0.0.1:1/none',
        NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL,
      };
      try {
        for (const step of [['db', 'sync'], ['bootstrap']]) {
          const run = runNimbus(step, env);
          assert.equal(await run.exited(), 0, run.output());
        }
        const admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
        // The agents before the conductor: on a fresh vhost the conductor's queue exists only once it
        // runs, so their first pings are lost; they ping again every 10 s (Nova's wait_until_ready)
        // and start once it answers, not after their 60 s RPC timeout.
        const agents = runNimbus(['compute-agent', '--driver', 'fake', '--hosts', '2', '--host', 'rack'], { ...agentEnv, ...serviceUserEnv(admin) });
        let node: ReturnType<typeof runNimbus> | undefined;
        try {
          await agents.waitFor(/Timed out waiting for nova-conductor/, 40_000);
          node = runNimbus(['serve', 'identity', 'image', 'compute'], env);
          await node.waitFor(/Serving identity, image, compute at/);
          // Within 40 s, under the 60 s a lost first call would have waited.
          await agents.waitFor(/Compute agents running for hosts rack-1 … rack-2, driver fake/, 40_000);
          assert.match(agents.output(), /nova-conductor connection established successfully/);
          assert.ok(existsSync(join(agentDir, 'compute', 'rack-1')) && existsSync(join(agentDir, 'compute', 'rack-2')), 'each host has its state subdir');

          // Each agent's service row and hypervisor (what the scheduler picks from) follow its start within a heartbeat.
          const expected = ['nova-compute@rack-1:up', 'nova-compute@rack-2:up', 'nova-conductor@api-node:up', 'nova-scheduler@api-node:up', 'node:rack-1', 'node:rack-2'];
          const rowsOf = (services: Json[], hypervisors: string[], [binary, host, state]: readonly [string, string, string]) => [
            ...services
              .filter((row) => String(row[binary]).startsWith('nova-'))
              .map((row) => `${String(row[binary])}@${String(row[host])}:${String(row[state])}`)
              .sort(),
            ...hypervisors.map((name) => `node:${name}`).sort(),
          ];
          // Polled over REST (50 polls of two CLI runs took at least 190 s), then read through the CLI.
          const rest = openstackRest(admin);
          await pollUntil(
            'the service rows and hypervisors',
            async () => {
              const services = (await rest.get('/compute/v2.1/os-services'))['services'] as Json[];
              const hypervisors = ((await rest.get('/compute/v2.1/os-hypervisors'))['hypervisors'] as Json[]).map((row) => String(row['hypervisor_hostname']));
              return isDeepStrictEqual(rowsOf(services, hypervisors, ['binary', 'host', 'state']), expected) ? true : undefined;
            },
            190_000,
          ).catch(() => undefined);
          const services = await openstackJson<Json[]>(admin, ['compute', 'service', 'list']);
          const hypervisors = (await openstackJson<Json[]>(admin, ['hypervisor', 'list'])).map((row) => String(row['Hypervisor Hostname']));
          assert.deepEqual(rowsOf(services, hypervisors, ['Binary', 'Host', 'State']), expected);

          const { token } = await issuePasswordToken(base, admin);
          const json = { 'content-type': 'application/json' };

          const image = await call(`${base}/image/v2/images`, {
            token, method: 'POST', headers: json, body: JSON.stringify({ name: 'blank', disk_format: 'raw', container_format: 'bare' }),
          });
          assert.equal(image.status, 201);
          const upload = await call(`${base}/image/v2/images/${String(image.body['id'])}/file`, {
            token, method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(1 << 16),
          });
          assert.equal(upload.status, 204);

          const created = await call(`${base}/compute/v2.1/servers`, {
            // No network agent runs beside these compute agents: the server boots without a port (2.37's `none`).
            token, method: 'POST', headers: { ...json, 'openstack-api-version': 'compute 2.37' },
            body: JSON.stringify({ server: { name: 'vm1', imageRef: image.body['id'], flavorRef: '1', networks: 'none' } }),
          });
          assert.equal(created.status, 202, JSON.stringify(created.body));
          const id = String((created.body['server'] as Json)['id']);
          let server: Json = {};
          for (let attempt = 0; attempt < 100 && server['status'] !== 'ACTIVE' && server['status'] !== 'ERROR'; attempt += 1) {
            await sleep(200);
            server = (await call(`${base}/compute/v2.1/servers/${id}`, { token })).body['server'] as Json;
          }
          assert.equal(server['status'], 'ACTIVE', JSON.stringify(server['fault']));
          assert.match(String(server['OS-EXT-SRV-ATTR:host']), /^rack-[12]$/);
        } finally {
          agents.child.kill('SIGTERM');
          node?.child.kill('SIGTERM');
          assert.equal(await agents.exited(), 0, agents.output());
          if (node) assert.equal(await node.exited(), 0, node.output());
        }
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
        rmSync(agentDir, { recursive: true, force: true });
      }
    });
  });
});
