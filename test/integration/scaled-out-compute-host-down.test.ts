import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { unavailable, withTestDatabase } from '../support/databases.js';
import { freePort } from '../support/free-port.js';
import { runNimbus } from '../support/nimbus-process.js';
import { openstackCliUnavailable, openstackJson, openstackOk, parseOpenrc, type OpenstackEnv } from '../support/openstack-cli.js';
import { openstackRest, pollUntil, type OpenstackRest } from '../support/openstack-rest.js';
import { RABBIT_URL, rabbitUnavailable } from '../support/rabbitmq.js';
import { startRemoteComputeAgent, type RemoteComputeAgent } from '../support/remote-compute-agent.js';

// Issue 18: a compute agent killed with SIGKILL. Its host reads `down` once it has been silent for
// service_down_time (short here), the scheduler places nothing on it meanwhile, and started again
// it is up again. (Its guests surviving the restart is compute-agent-qemu-remote.test.ts, on QEMU.)
const skip = (await rabbitUnavailable()) || (await unavailable('postgres')) || openstackCliUnavailable();

/** Short heartbeats so the test waits seconds, not Nova's minute. */
const TIMING = { NIMBUS_REPORT_INTERVAL: '1', NIMBUS_SERVICE_DOWN_TIME: '4' };

type Json = Record<string, unknown>;

/** `openstack compute service list` as `binary@host:state` rows. */
async function serviceStates(admin: OpenstackEnv): Promise<string[]> {
  const services = await openstackJson<Json[]>(admin, ['compute', 'service', 'list']);
  return services.map((row) => `${String(row['Binary'])}@${String(row['Host'])}:${String(row['State'])}`).sort();
}

/**
 * Polls os-services over REST (40 polls of the CLI took at least 90 s) until the rows hold, then
 * asserts `compute service list` shows them.
 */
async function waitForServices(admin: OpenstackEnv, rest: OpenstackRest, expected: readonly string[]): Promise<void> {
  let rows: string[] = [];
  await pollUntil(
    `os-services showing ${expected.join(', ')}`,
    async () => {
      const services = (await rest.get('/compute/v2.1/os-services'))['services'] as Json[];
      rows = services.map((row) => `${String(row['binary'])}@${String(row['host'])}:${String(row['state'])}`);
      return expected.every((row) => rows.includes(row)) ? true : undefined;
    },
    90_000,
    500,
  ).catch(() => undefined);
  const shown = await serviceStates(admin);
  assert.ok(
    expected.every((row) => shown.includes(row)),
    `compute service list never showed ${expected.join(', ')}; it shows ${shown.join(', ')} (the API last: ${rows.join(', ')})`,
  );
}

/** Polls the server over REST (60 polls of the CLI took at least 120 s) until ACTIVE or ERROR, then asserts `server show` says ACTIVE. */
async function waitForActive(admin: OpenstackEnv, rest: OpenstackRest, name: string): Promise<Json> {
  await pollUntil(
    `${name} ACTIVE or ERROR`,
    async () => {
      const status = (await rest.server(name))?.['status'];
      return status === 'ACTIVE' || status === 'ERROR' ? true : undefined;
    },
    120_000,
    300,
  ).catch(() => undefined);
  const server = await openstackJson<Json>(admin, ['server', 'show', name]);
  assert.equal(server['status'], 'ACTIVE', JSON.stringify(server['fault']));
  return server;
}

describe('a compute agent killed with SIGKILL', { skip }, () => {
  test('its host goes down after service_down_time, the scheduler avoids it, and it is up again when restarted', async () => {
    await withTestDatabase('postgres', async (url) => {
      const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-host-down-'));
      const agentStateDir = mkdtempSync(join(tmpdir(), 'nra-'));
      try {
        const port = await freePort();
        const env = {
          NIMBUS_STATE_DIR: stateDir,
          NIMBUS_DATABASE_CONNECTION: url,
          NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL,
          NIMBUS_API_PORT: String(port),
          NIMBUS_HOST: 'host-down-api',
          ...TIMING,
        };
        for (const step of [['db', 'sync'], ['bootstrap']]) {
          const run = runNimbus(step, env);
          assert.equal(await run.exited(), 0, run.output());
        }
        const admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
        const rest = openstackRest(admin);
        const node = runNimbus(['serve', 'identity', 'image', 'compute'], env);
        const agents: RemoteComputeAgent[] = [];
        try {
          await node.waitFor(/Serving identity, image, compute at/);
          const startAgent = (host: string, own?: string) =>
            startRemoteComputeAgent({ host, driver: 'fake', busUrl: RABBIT_URL, serviceUser: admin, env: TIMING, ...(own === undefined ? {} : { stateDir: own }) });
          agents.push(await startAgent('doomed', agentStateDir), await startAgent('survivor'));
          await waitForServices(admin, rest, ['nova-compute@doomed:up', 'nova-compute@survivor:up']);
          await openstackOk(admin, ['image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--file', '/dev/null', 'blank']);

          await agents[0]?.kill();
          await waitForServices(admin, rest, ['nova-compute@doomed:down', 'nova-compute@survivor:up']);

          for (const name of ['after-1', 'after-2', 'after-3']) {
            await openstackOk(admin, ['--os-compute-api-version', '2.37', 'server', 'create', '--image', 'blank', '--flavor', '1', '--nic', 'none', name]);
          }
          for (const name of ['after-1', 'after-2', 'after-3']) {
            assert.equal((await waitForActive(admin, rest, name))['OS-EXT-SRV-ATTR:host'], 'survivor', `${name} is not placed on the dead host`);
          }

          agents[0] = await startAgent('doomed', agentStateDir);
          await waitForServices(admin, rest, ['nova-compute@doomed:up', 'nova-compute@survivor:up']);
        } finally {
          for (const agent of agents) await agent.stop();
          node.child.kill('SIGTERM');
          assert.equal(await node.exited(), 0, node.output());
        }
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
        rmSync(agentStateDir, { recursive: true, force: true });
      }
    });
  });
});
