import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { BrokerRelay } from '../support/broker-relay.js';
import { unavailable, withTestDatabase } from '../support/databases.js';
import { freePort } from '../support/free-port.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';
import { parseOpenrc } from '../support/openstack-cli.js';
import { closeConnections, rabbitUnavailable } from '../support/rabbitmq.js';
import { startRemoteComputeAgent } from '../support/remote-compute-agent.js';
import { issuePasswordToken } from '../support/password-token.js';
import { BUS_LOST, BUS_RECONNECTED, bootWithoutNetwork, countLines } from '../support/private-broker-cloud.js';
import { apiOf, type Api } from '../support/scaled-out-cloud.js';

// Issue 18: RabbitMQ goes away under a scaled-out cloud (an API node with conductor and scheduler,
// a compute agent in its own process). Every process reconnects by itself, and what the API
// accepted meanwhile completes. Only this test's connections are cut: through a relay of its own,
// and by closing the connections its processes opened, never the shared broker.
const skip = (await rabbitUnavailable()) || (await unavailable('postgres'));

type Json = Record<string, unknown>;

async function waitForStatus(api: Api, id: string, status: string): Promise<Json> {
  let server: Json = {};
  for (let attempt = 0; attempt < 150; attempt += 1) {
    server = (await api(`/compute/v2.1/servers/${id}`)).body['server'] as Json;
    if (server['status'] === status) return server;
    if (server['status'] === 'ERROR') break;
    await sleep(200);
  }
  assert.fail(`server ${id} is ${String(server['status'])}, not ${status}: ${JSON.stringify(server['fault'])}`);
}

/** Waits (10 s at most) until the process has logged `times` reconnections. */
async function reconnectedTimes(process: NimbusProcess, times: number): Promise<void> {
  for (let attempt = 0; attempt < 100 && countLines(process, BUS_RECONNECTED) < times; attempt += 1) await sleep(100);
}


describe('a scaled-out cloud while RabbitMQ goes away', { skip }, () => {
  test('every process reconnects by itself; servers booted and stopped across the outage complete', async () => {
    await withTestDatabase('postgres', async (url) => {
      const relay = new BrokerRelay();
      await relay.up();
      const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-bus-outage-'));
      try {
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const env = {
          NIMBUS_STATE_DIR: stateDir,
          NIMBUS_DATABASE_CONNECTION: url,
          NIMBUS_BUS_TRANSPORT_URL: relay.url,
          NIMBUS_API_PORT: String(port),
          NIMBUS_HOST: 'bus-outage-api',
          // How long a send waits for the broker before it gives up: short, for step 3.
          NIMBUS_BUS_RPC_RESPONSE_TIMEOUT: '5',
        };
        for (const step of [['db', 'sync'], ['bootstrap']]) {
          const run = runNimbus(step, env);
          assert.equal(await run.exited(), 0, run.output());
        }
        const admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
        const node = runNimbus(['serve', 'identity', 'image', 'compute'], env);
        try {
          await node.waitFor(/Serving identity, image, compute at/);
          const agent = await startRemoteComputeAgent({ host: 'bus-outage-compute', driver: 'fake', busUrl: relay.url, serviceUser: admin });
          try {
            const api = apiOf(base, (await issuePasswordToken(base, admin)).token);
            const image = await api('/image/v2/images', { method: 'POST', body: { name: 'blank', disk_format: 'raw', container_format: 'bare' } });
            assert.equal(image.status, 201);
            const imageId = String(image.body['id']);
            const upload = await api(`/image/v2/images/${imageId}/file`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(1 << 16) });
            assert.equal(upload.status, 204);
            // The agent's service row follows its start within a heartbeat: boot once it can be scheduled to.
            const first = await (async () => {
              for (let attempt = 0; attempt < 50; attempt += 1) {
                const hypervisors = await api('/compute/v2.1/os-hypervisors');
                if ((hypervisors.body['hypervisors'] as Json[]).length > 0) return bootWithoutNetwork(api, 'before', imageId);
                await sleep(200);
              }
              return assert.fail('the compute agent never registered its hypervisor');
            })();
            await waitForStatus(api, first, 'ACTIVE');

            // 1. The broker closes this cloud's connections (as `rabbitmqctl close_connection` does).
            const pids = [node.child.pid, agent.nimbus.child.pid].map(String);
            const closed = await closeConnections((name) => name.startsWith('nimbus-') && pids.includes(name.split(':').at(-1) ?? ''));
            assert.equal(closed, 2, 'one connection per process, each named after its process');
            await node.waitFor(BUS_RECONNECTED);
            await agent.nimbus.waitFor(BUS_RECONNECTED);
            assert.equal((await api(`/compute/v2.1/servers/${first}/action`, { method: 'POST', body: { 'os-stop': null } })).status, 202);
            await waitForStatus(api, first, 'SHUTOFF');
            const second = await bootWithoutNetwork(api, 'after-close', imageId);
            await waitForStatus(api, second, 'ACTIVE');

            // 1b. The same while a boot the API accepted is under way (its spawn slowed on the host): it completes, it is not lost.
            const slow = await api('/compute/v2.1/nimbus/faults', { method: 'POST', body: { fault: { host: 'bus-outage-compute', kind: 'slow', operation: 'spawn', delay_ms: 3000, count: 1 } } });
            assert.equal(slow.status, 201, JSON.stringify(slow.body));
            const inFlight = await bootWithoutNetwork(api, 'in-flight', imageId);
            let spawning = false;
            for (let attempt = 0; attempt < 100 && !spawning; attempt += 1) {
              const shown = (await api(`/compute/v2.1/servers/${inFlight}`)).body['server'] as Json;
              spawning = shown['OS-EXT-STS:task_state'] === 'spawning';
              if (!spawning) await sleep(100);
            }
            assert.ok(spawning, 'the connections close while the host spawns the guest');
            assert.equal(await closeConnections((name) => name.startsWith('nimbus-') && pids.includes(name.split(':').at(-1) ?? '')), 2);
            await waitForStatus(api, inFlight, 'ACTIVE');
            for (const process of [node, agent.nimbus]) await reconnectedTimes(process, 2);

            // 2. The broker is unreachable for a moment: a boot requested meanwhile waits for it, then completes.
            await relay.down();
            const during = bootWithoutNetwork(api, 'during-outage', imageId);
            await sleep(1000);
            await relay.up();
            const third = await during;
            await waitForStatus(api, third, 'ACTIVE');
            assert.equal((await api(`/compute/v2.1/servers/${first}/action`, { method: 'POST', body: { 'os-start': null } })).status, 202);
            await waitForStatus(api, first, 'ACTIVE');

            // 3. The broker stays away longer than a send may wait: the boot is refused (503), and no server is left in BUILD.
            await relay.down();
            const refused = await api('/compute/v2.1/servers', {
              method: 'POST',
              headers: { 'openstack-api-version': 'compute 2.37' },
              body: { server: { name: 'refused', imageRef: imageId, flavorRef: '1', networks: 'none' } },
            });
            await relay.up();
            assert.equal(refused.status, 503, JSON.stringify(refused.body));
            assert.match(String((refused.body['serviceUnavailable'] as Json | undefined)?.['message']), /message bus is unreachable/);
            const listed = (await api('/compute/v2.1/servers/detail')).body['servers'] as Json[];
            assert.deepEqual(listed.map((server) => `${String(server['name'])}:${String(server['status'])}`).sort(), [
              'after-close:ACTIVE',
              'before:ACTIVE',
              'during-outage:ACTIVE',
              'in-flight:ACTIVE',
            ]);

            for (const process of [node, agent.nimbus]) await reconnectedTimes(process, 4);
            const services = (await api('/compute/v2.1/os-services')).body['services'] as Json[];
            assert.deepEqual(
              services.map((service) => `${String(service['binary'])}@${String(service['host'])}:${String(service['state'])}`).sort(),
              ['nova-compute@bus-outage-compute:up', 'nova-conductor@bus-outage-api:up', 'nova-scheduler@bus-outage-api:up'],
            );
            for (const process of [node, agent.nimbus]) {
              assert.equal(countLines(process, BUS_LOST), 4, 'each loss logged once');
              assert.equal(countLines(process, BUS_RECONNECTED), 4, 'each recovery logged once');
            }
          } finally {
            assert.equal(await agent.stop(), 0, agent.nimbus.output());
          }
        } finally {
          node.child.kill('SIGTERM');
          assert.equal(await node.exited(), 0, node.output());
        }
      } finally {
        await relay.down();
        rmSync(stateDir, { recursive: true, force: true });
      }
    });
  });
});
