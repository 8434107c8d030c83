import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { qemuSystemBinary } from '../../src/compute/virt/qemu/host/qemu-binary.js';
import { InstanceDir } from '../../src/compute/virt/qemu/instance/instance-dir.js';
import { runInGuest } from '../../src/compute/virt/qemu/testing/guest-console.js';
import { qemusUnder } from '../../src/compute/virt/qemu/testing/stray-qemus.js';
import { unavailable, withTestDatabase } from '../support/databases.js';
import { freePort } from '../support/free-port.js';
import { runNimbus } from '../support/nimbus-process.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, parseOpenrc, type OpenstackEnv } from '../support/openstack-cli.js';
import { openstackRest, pollUntil, serverSettled, type OpenstackRest } from '../support/openstack-rest.js';
import { RABBIT_URL, rabbitUnavailable } from '../support/rabbitmq.js';
import { startRemoteComputeAgent } from '../support/remote-compute-agent.js';

// A real guest on a compute host of its own: `nimbus up --compute-hosts 0 --driver qemu` (API,
// conductor, scheduler, nimbus-tiny) and one `nimbus compute-agent --driver qemu` process that
// knows only the bus and a service user, and reads and writes images over the image API.
const rabbitSkip = await rabbitUnavailable();
const dialect = (await unavailable('postgres')) === false ? 'postgres' : 'mariadb';
const skip =
  rabbitSkip || (await unavailable(dialect)) || openstackCliUnavailable() || (qemuSystemBinary() === undefined ? 'qemu-system-x86_64 is not installed' : false);

type Json = Record<string, unknown>;

const READY_LINE = /=== nimbus-tiny ready: .*/;

/** Polls over REST (300 CLI polls took at least 600 s) until the status holds with no task, then answers `server show`. */
const waitForStatus = (admin: OpenstackEnv, rest: OpenstackRest, server: string, status: string) =>
  serverSettled(
    `${server} ${status}`,
    () => rest.serverNamed(server),
    () => openstackJson<Json>(admin, ['server', 'show', server]),
    (shown) => shown['status'] === status && shown['OS-EXT-STS:task_state'] === null,
    600_000,
  );

/** Polls the console over REST until the ready line is there, then answers it as `console log show` prints it. */
async function waitForReadyLine(admin: OpenstackEnv, rest: OpenstackRest, server: string): Promise<string> {
  await pollUntil(`${server}'s ready line`, async () => (READY_LINE.test(await rest.consoleLog(String((await rest.serverNamed(server))['id']))) ? true : undefined), 600_000);
  const line = READY_LINE.exec((await openstackOk(admin, ['console', 'log', 'show', server])).stdout)?.[0];
  if (line === undefined) throw new Error(`console log show of ${server} lacks the ready line the API had`);
  return line;
}

describe(`a qemu compute agent in its own process, on ${dialect} and RabbitMQ`, { skip }, () => {
  test('boots nimbus-tiny to its ready line, snapshots it, survives an agent kill -9 and restart, and deletes it', async (t) => {
    await withTestDatabase(dialect, async (url) => {
      const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-api-node-'));
      const port = await freePort();
      const node = runNimbus(['up', '--port', String(port), '--driver', 'qemu', '--compute-hosts', '0'], {
        NIMBUS_STATE_DIR: stateDir,
        NIMBUS_DATABASE_CONNECTION: url,
        NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL,
        NIMBUS_HOST: 'api-node',
      });
      try {
        await node.waitFor(/Nimbus all-in-one cloud is running/, 120_000);
        const admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
        const rest = openstackRest(admin);
        const agentStateDir = mkdtempSync(join(tmpdir(), 'nra-'));
        const start = () => startRemoteComputeAgent({ host: 'remote-1', driver: 'qemu', busUrl: RABBIT_URL, serviceUser: admin, stateDir: agentStateDir });
        let agent = await start();
        try {
          const [hypervisor] = await openstackJson<Json[]>(admin, ['hypervisor', 'list', '--long']);
          assert.deepEqual([hypervisor?.['Hypervisor Hostname'], hypervisor?.['Hypervisor Type']], ['remote-1', 'QEMU']);

          const started = Date.now();
          await openstackOk(admin, ['--os-compute-api-version', '2.37', 'server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', '--nic', 'none', 'vm1']);
          const active = await waitForStatus(admin, rest, 'vm1', 'ACTIVE');
          assert.equal(active['OS-EXT-SRV-ATTR:host'], 'remote-1');
          assert.match(await waitForReadyLine(admin, rest, 'vm1'), /host=\S+ boot=1 /);
          t.diagnostic(`create → ready line ${Date.now() - started} ms`);
          assert.equal(qemusUnder(agent.paths.runtime).length, 1);

          const snapshotStarted = Date.now();
          await openstackOk(admin, ['server', 'image', 'create', '--name', 'vm1-snap', '--wait', 'vm1']);
          const image = await openstackJson<Json>(admin, ['image', 'show', 'vm1-snap']);
          assert.equal(image['status'], 'active');
          assert.equal(image['disk_format'], 'qcow2');
          assert.ok(Number(image['size']) > 0);
          t.diagnostic(`snapshot → active image ${Date.now() - snapshotStarted} ms`);
          await waitForStatus(admin, rest, 'vm1', 'ACTIVE');

          // The agent dies (kill -9) and starts again: the guest ran on meanwhile, and is the agent's to drive again.
          const consoleSocket = new InstanceDir(agent.paths, String(active['id'])).consoleSocket;
          const uptime = async () => Number.parseFloat((await runInGuest(consoleSocket, 'cut -d" " -f1 /proc/uptime')).split('\n').pop() ?? 'NaN');
          const before = await uptime();
          await agent.kill();
          assert.equal(qemusUnder(agent.paths.runtime).length, 1);
          agent = await start();
          assert.equal((await waitForStatus(admin, rest, 'vm1', 'ACTIVE'))['OS-EXT-SRV-ATTR:host'], 'remote-1');
          assert.ok((await uptime()) > before, 'the guest was not restarted');
          await openstackOk(admin, ['server', 'stop', 'vm1']);
          await waitForStatus(admin, rest, 'vm1', 'SHUTOFF');
          assert.deepEqual(qemusUnder(agent.paths.runtime), []);

          await openstackOk(admin, ['server', 'delete', '--wait', 'vm1']);
          assert.deepEqual(qemusUnder(agent.paths.runtime), []);
          await openstackOk(admin, ['image', 'delete', 'vm1-snap']);
        } finally {
          await openstack(admin, ['server', 'delete', '--wait', 'vm1']);
          assert.equal(await agent.stop(), 0, agent.nimbus.output());
          rmSync(agentStateDir, { recursive: true, force: true });
        }
      } finally {
        node.child.kill('SIGTERM');
        assert.equal(await node.exited(), 0, node.output());
        rmSync(stateDir, { recursive: true, force: true });
      }
    });
  });
});
