import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { unavailable, withTestDatabase } from '../support/databases.js';
import { freePort } from '../support/free-port.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';
import { privateRabbitUnavailable, startPrivateRabbit } from '../support/private-rabbitmq.js';
import { startRemoteComputeAgent } from '../support/remote-compute-agent.js';
import { issuePasswordToken } from '../support/password-token.js';
import { apiOf, prepareCloud, type Api } from '../support/scaled-out-cloud.js';

// Issue 18: RabbitMQ itself restarts (`rabbitmqctl stop_app` / `start_app`) under a scaled-out
// cloud (an API node with conductor and scheduler, a compute agent in its own process). Unlike a
// closed connection (test/integration/scaled-out-broker-outage.test.ts), the broker forgets its
// non-durable queues and refuses connections until it is back. Every process reconnects by itself,
// and a boot the API accepted completes or shows a fault: none stays in a transitional state.
// The broker is a private node: the machine's shared one serves other test files meanwhile.
const skip = privateRabbitUnavailable() || (await unavailable('postgres'));

type Json = Record<string, unknown>;

/** Waits until the server leaves BUILD and its task state clears; answers it as shown then. */
async function settled(api: Api, id: string): Promise<Json> {
  let server: Json = {};
  for (let attempt = 0; attempt < 300; attempt += 1) {
    server = (await api(`/compute/v2.1/servers/${id}`)).body['server'] as Json;
    if (server['status'] !== 'BUILD' && server['OS-EXT-STS:task_state'] === null) return server;
    await sleep(200);
  }
  return assert.fail(`server ${id} stays ${String(server['status'])}/${String(server['OS-EXT-STS:task_state'])}`);
}

/** Boots a server without a network (2.37's `none`: no network agent runs here). */
async function boot(api: Api, name: string, imageId: string): Promise<string> {
  const created = await api('/compute/v2.1/servers', {
    method: 'POST',
    headers: { 'openstack-api-version': 'compute 2.37' },
    body: { server: { name, imageRef: imageId, flavorRef: '1', networks: 'none' } },
  });
  assert.equal(created.status, 202, JSON.stringify(created.body));
  return String((created.body['server'] as Json)['id']);
}

const LOST = /WARNING nimbus\.common\.bus .*Connection to RabbitMQ .* lost/;
const RECONNECTED = /INFO nimbus\.common\.bus .*Reconnected to RabbitMQ/;

function count(process: NimbusProcess, pattern: RegExp): number {
  return process.output().match(new RegExp(pattern.source, 'g'))?.length ?? 0;
}

describe('a scaled-out cloud while its RabbitMQ restarts', { skip }, () => {
  test('every process reconnects by itself; boots accepted around the restart complete; nothing stays transitional', async () => {
    const rabbit = await startPrivateRabbit();
    process.stderr.write(`# private RabbitMQ ${rabbit.nodeName} started in ${Math.round(rabbit.startedInMs)} ms\n`);
    const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-broker-restart-'));
    try {
      await withTestDatabase('postgres', async (url) => {
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const env = {
          NIMBUS_STATE_DIR: stateDir,
          NIMBUS_DATABASE_CONNECTION: url,
          NIMBUS_BUS_TRANSPORT_URL: rabbit.url,
          NIMBUS_API_PORT: String(port),
          NIMBUS_HOST: 'broker-restart-api',
        };
        const admin = await prepareCloud(env);
        const node = runNimbus(['serve', 'identity', 'image', 'compute'], env);
        try {
          // A start beside a dozen other test processes on two cores took more than a minute.
          await node.waitFor(/Serving identity, image, compute at/, 180_000);
          const agent = await startRemoteComputeAgent({ host: 'broker-restart-compute', driver: 'fake', busUrl: rabbit.url, serviceUser: admin });
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
            const before = await boot(api, 'before', imageId);
            assert.equal((await settled(api, before))['status'], 'ACTIVE');

            // A boot the API accepted is on its host (its spawn slowed there) when the broker stops.
            const slow = await api('/compute/v2.1/nimbus/faults', {
              method: 'POST',
              body: { fault: { host: 'broker-restart-compute', kind: 'slow', operation: 'spawn', delay_ms: 3000, count: 1 } },
            });
            assert.equal(slow.status, 201, JSON.stringify(slow.body));
            const inFlight = await boot(api, 'in-flight', imageId);
            let spawning = false;
            for (let attempt = 0; attempt < 150 && !spawning; attempt += 1) {
              spawning = ((await api(`/compute/v2.1/servers/${inFlight}`)).body['server'] as Json)['OS-EXT-STS:task_state'] === 'spawning';
              if (!spawning) await sleep(100);
            }
            assert.ok(spawning, 'the broker stops while the host spawns the guest');

            const outage = performance.now();
            await rabbit.stopApp();
            await node.waitFor(LOST, 30_000);
            await agent.nimbus.waitFor(LOST, 30_000);
            // A boot requested while the broker is down waits for it (up to rpc_response_timeout).
            const during = boot(api, 'during-restart', imageId);
            await sleep(1000);
            const restartMs = await rabbit.startApp();
            const duringId = await during;
            await node.waitFor(RECONNECTED, 30_000);
            await agent.nimbus.waitFor(RECONNECTED, 30_000);
            process.stderr.write(`# broker down for ${Math.round(performance.now() - outage)} ms; start_app took ${Math.round(restartMs)} ms\n`);

            for (const id of [inFlight, duringId]) {
              const server = await settled(api, id);
              // Accepted work is never silently lost: it completes, or the server says why it did not.
              if (server['status'] !== 'ACTIVE') assert.ok(server['fault'], `${String(server['name'])} is ${String(server['status'])} without a fault`);
              assert.equal(server['status'], 'ACTIVE', `${String(server['name'])}: ${JSON.stringify(server['fault'])}`);
            }
            const after = await boot(api, 'after-restart', imageId);
            assert.equal((await settled(api, after))['status'], 'ACTIVE');
            assert.equal((await api(`/compute/v2.1/servers/${before}/action`, { method: 'POST', body: { 'os-stop': null } })).status, 202);
            assert.equal((await settled(api, before))['status'], 'SHUTOFF');

            const listed = (await api('/compute/v2.1/servers/detail')).body['servers'] as Json[];
            assert.deepEqual(
              listed.map((server) => `${String(server['name'])}:${String(server['status'])}:${String(server['OS-EXT-STS:task_state'])}`).sort(),
              ['after-restart:ACTIVE:null', 'before:SHUTOFF:null', 'during-restart:ACTIVE:null', 'in-flight:ACTIVE:null'],
            );
            const services = (await api('/compute/v2.1/os-services')).body['services'] as Json[];
            assert.deepEqual(
              services.map((service) => `${String(service['binary'])}@${String(service['host'])}:${String(service['state'])}`).sort(),
              ['nova-compute@broker-restart-compute:up', 'nova-conductor@broker-restart-api:up', 'nova-scheduler@broker-restart-api:up'],
            );
            for (const process of [node, agent.nimbus]) {
              assert.equal(count(process, LOST), 1, 'the loss logged once');
              assert.equal(count(process, RECONNECTED), 1, 'the recovery logged once');
            }
          } finally {
            assert.equal(await agent.stop(), 0, agent.nimbus.output());
          }
        } finally {
          node.child.kill('SIGTERM');
          assert.equal(await node.exited(), 0, node.output());
        }
      });
    } finally {
      await rabbit.remove();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
