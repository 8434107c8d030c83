import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { unavailable, withTestDatabase } from '../support/databases.js';
import { freePort } from '../support/free-port.js';
import { haproxyUnavailable, startApiFront, type ApiFront } from '../support/haproxy.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';
import { openstackCliUnavailable, openstackJson, openstackOk, parseOpenrc } from '../support/openstack-cli.js';
import { openstackRest, pollUntil } from '../support/openstack-rest.js';
import { RABBIT_URL, rabbitUnavailable } from '../support/rabbitmq.js';
import { serviceUserEnv } from '../support/remote-compute-agent.js';

// Issue 18's redundant control plane (docs/DEPLOY.md): two API nodes, each with every API and
// compute's conductor and scheduler, on one database and one broker, behind docs/deploy/haproxy.cfg.
const rabbitSkip = await rabbitUnavailable();
const dialect = (await unavailable('postgres')) === false ? 'postgres' : 'mariadb';
const skip = rabbitSkip || (await unavailable(dialect)) || openstackCliUnavailable() || haproxyUnavailable();

type Json = Record<string, unknown>;
/** Heartbeats every second, down after four: the dead node shows down within seconds. */
const TIMING = { NIMBUS_REPORT_INTERVAL: '1', NIMBUS_SERVICE_DOWN_TIME: '4' };

/** The ERROR lines the processes logged: why a build failed. */
function errorsLogged(processes: readonly NimbusProcess[]): string {
  return processes.flatMap((child) => child.output().split('\n').filter((line) => / ERROR /.test(line))).join('\n');
}

describe(`two API nodes behind HAProxy on ${dialect} and RabbitMQ`, { skip }, () => {
  test('both nodes serve one URL and a token of either; with one killed, requests and builds go on through the other', async () => {
    await withTestDatabase(dialect, async (url) => {
      const [frontPort, portA, portB] = [await freePort(), await freePort(), await freePort()];
      // The nodes share the state dir as they would share its Fernet keys and image store (docs/DEPLOY.md).
      const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-api-nodes-'));
      const agentDir = mkdtempSync(join(tmpdir(), 'nimbus-api-nodes-agent-'));
      const frontUrl = `http://127.0.0.1:${frontPort}`;
      const common = {
        NIMBUS_STATE_DIR: stateDir,
        NIMBUS_DATABASE_CONNECTION: url,
        NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL,
        NIMBUS_API_PUBLIC_URL: frontUrl,
        ...TIMING,
      };
      const processes: NimbusProcess[] = [];
      let front: ApiFront | undefined;
      try {
        for (const step of [['db', 'sync'], ['bootstrap']]) {
          const run = runNimbus(step, common);
          assert.equal(await run.exited(), 0, run.output());
        }
        const admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
        assert.equal(admin['OS_AUTH_URL'], `${frontUrl}/identity`, 'the catalog and openrc name the front, not a node');
        const nodes = new Map<string, NimbusProcess>();
        for (const [host, port] of [['api-a', portA], ['api-b', portB]] as const) {
          const node = runNimbus(['serve', 'identity', 'image', 'compute', 'network', 'volume'], { ...common, NIMBUS_HOST: host, NIMBUS_API_PORT: String(port) });
          processes.push(node);
          nodes.set(host, node);
          await node.waitFor(/Serving identity, image, compute, network, volume at/);
        }
        front = startApiFront(frontPort, [['api-a', portA], ['api-b', portB]]);
        const agents = runNimbus(['compute-agent', '--driver', 'fake', '--hosts', '2'], {
          NIMBUS_STATE_DIR: agentDir,
          NIMBUS_DATABASE_CONNECTION: 'postgresql://nobody@127.0.0.1:1/none',
          NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL,
          ...TIMING,
          ...serviceUserEnv(admin),
        });
        processes.push(agents);
        await agents.waitFor(/Compute agents running for hosts compute-1 … compute-2, driver fake/, 40_000);

        const services = async () =>
          (await openstackJson<Json[]>(admin, ['compute', 'service', 'list']))
            .map((row) => `${String(row['Binary'])}@${String(row['Host'])}:${String(row['State'])}`)
            .sort();
        assert.deepEqual(await services(), [
          'nova-compute@compute-1:up', 'nova-compute@compute-2:up',
          'nova-conductor@api-a:up', 'nova-conductor@api-b:up',
          'nova-scheduler@api-a:up', 'nova-scheduler@api-b:up',
        ]);

        // Each CLI run takes a token from one node and uses it on others (round robin): keys and revocations are shared.
        await openstackOk(admin, ['image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--file', '/dev/null', 'blank']);
        const boot = async (name: string, count: number): Promise<Json[]> => {
          await openstackOk(admin, [
            '--os-compute-api-version', '2.37', 'server', 'create', '--image', 'blank', '--flavor', '1', '--nic', 'none',
            '--min', String(count), '--max', String(count), '--wait', name,
          ]);
          return openstackJson<Json[]>(admin, ['server', 'list', '--name', `^${name}`, '--long']);
        };
        const first = await boot('before', 4);
        assert.deepEqual(first.map((row) => row['Status']), ['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE'], errorsLogged(processes));
        const served = { a: 0, b: 0 };
        for (const node of ['a', 'b'] as const) served[node] = (nodes.get(`api-${node}`)?.output().match(/"POST \/identity\/v3\/auth\/tokens/g) ?? []).length;
        assert.ok(served.a > 0 && served.b > 0, `both nodes issued tokens: ${JSON.stringify(served)}`);

        // Network and volume served by both: what one node made, the other shows and uses.
        await openstackOk(admin, ['network', 'create', 'net1']);
        await openstackOk(admin, ['subnet', 'create', '--network', 'net1', '--subnet-range', '10.9.0.0/24', 'sub1']);
        const volume = await openstackJson<Json>(admin, ['volume', 'create', '--size', '1', 'vol1']);
        // Polled over REST (60 polls of the CLI took at least 138 s), then read through the CLI.
        const rest = openstackRest(admin);
        await pollUntil(
          'vol1 settled',
          async () => (['available', 'error'].includes(String((await rest.volume('vol1'))?.['status'])) ? true : undefined),
          138_000,
          500,
        ).catch(() => undefined);
        const volumeStatus = String((await openstackJson<Json>(admin, ['volume', 'show', String(volume['id'])]))['status']);
        assert.equal(volumeStatus, 'available', errorsLogged(processes));
        const subnets = await openstackJson<Json[]>(admin, ['subnet', 'list', '--network', 'net1']);
        assert.deepEqual(subnets.map((row) => row['Subnet']), ['10.9.0.0/24']);

        // api-a dies at once: HAProxy sends what it refuses to api-b; api-b's conductor and scheduler build.
        nodes.get('api-a')?.child.kill('SIGKILL');
        await nodes.get('api-a')?.exited();
        const after = await boot('after', 2);
        assert.deepEqual(after.map((row) => row['Status']), ['ACTIVE', 'ACTIVE'], errorsLogged(processes));
        // 30 polls of the CLI took at least 84 s.
        const conductorDown = async () =>
          ((await rest.get('/compute/v2.1/os-services?binary=nova-conductor&host=api-a'))['services'] as Json[])[0]?.['state'] === 'down' ? true : undefined;
        await pollUntil('nova-conductor@api-a down', conductorDown, 84_000, 1000).catch(() => undefined);
        assert.ok((await services()).includes('nova-conductor@api-a:down'), 'the dead node shows down');
        await openstackOk(admin, ['volume', 'delete', 'vol1']);
        await openstackOk(admin, ['network', 'delete', 'net1']);
      } finally {
        for (const child of processes) child.child.kill('SIGTERM');
        for (const child of processes) await child.exited();
        await front?.stop();
        rmSync(stateDir, { recursive: true, force: true });
        rmSync(agentDir, { recursive: true, force: true });
      }
    });
  });
});
