import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { qemuSystemBinary } from '../../src/compute/virt/qemu/host/qemu-binary.js';
import { InstanceDir } from '../../src/compute/virt/qemu/instance/instance-dir.js';
import { runInGuest } from '../../src/compute/virt/qemu/testing/guest-console.js';
import { daemonsUnder, storageDaemonBinary } from '../../src/volume/targets/nbd/storage-daemon.js';
import { unavailable, withTestDatabase } from '../support/databases.js';
import { freePort } from '../support/free-port.js';
import { runNimbus } from '../support/nimbus-process.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, parseOpenrc, type OpenstackEnv } from '../support/openstack-cli.js';
import { openstackRest, pollUntil, serverSettled, type OpenstackRest } from '../support/openstack-rest.js';
import { RABBIT_URL, rabbitUnavailable } from '../support/rabbitmq.js';
import { startRemoteComputeAgent } from '../support/remote-compute-agent.js';

// Issue 15's export to a compute host that cannot open the volume's path: the volume service
// runs in `nimbus up --compute-hosts 0`, the guest on `nimbus compute-agent --host remote-1` (another
// host to the volume service), so `server add volume` attaches the volume over NBD with TLS-PSK.
const rabbitSkip = await rabbitUnavailable();
const dialect = (await unavailable('postgres')) === false ? 'postgres' : 'mariadb';
const skip =
  rabbitSkip ||
  (await unavailable(dialect)) ||
  openstackCliUnavailable() ||
  (qemuSystemBinary() === undefined ? 'qemu-system-x86_64 is not installed' : false) ||
  (storageDaemonBinary() === undefined ? 'qemu-storage-daemon is not installed' : false);

type Json = Record<string, unknown>;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const found = await probe();
    if (found !== undefined) return found;
    await sleep(300);
  }
  throw new Error(`${what} never happened`);
}

// The waits poll over REST (a CLI run costs ~1.8 s of CPU; 300 polls of it took at least 630 s) and end with one CLI read.
const POLL_MS = 630_000;

const serverStatus = (admin: OpenstackEnv, rest: OpenstackRest, server: string, status: string) =>
  serverSettled(
    `${server} ${status}`,
    () => rest.serverNamed(server),
    () => openstackJson<Json>(admin, ['server', 'show', server]),
    (shown) => shown['status'] === status && shown['OS-EXT-STS:task_state'] === null,
    POLL_MS,
    300,
  );

async function volumeStatus(admin: OpenstackEnv, rest: OpenstackRest, volume: string, status: string): Promise<Json> {
  await pollUntil(`${volume} ${status}`, async () => {
    const shown = await rest.volume(volume);
    if (String(shown?.['status']).startsWith('error')) throw new Error(`${volume} went to ${String(shown?.['status'])}`);
    return shown?.['status'] === status ? true : undefined;
  }, POLL_MS, 300);
  return openstackJson<Json>(admin, ['volume', 'show', volume]);
}

describe(`a volume attached over NBD to a guest on another host, on ${dialect} and RabbitMQ`, { skip }, () => {
  test('server add volume → the guest writes it over NBD → volume set --size grows it in the guest → server remove volume → the bytes are in the volume, no export left', async (t) => {
    await withTestDatabase(dialect, async (url) => {
      const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-nbd-'));
      const exportsDir = join(stateDir, 'volume-exports');
      const port = await freePort();
      const node = runNimbus(['up', '--port', String(port), '--driver', 'qemu', '--compute-hosts', '0'], {
        NIMBUS_STATE_DIR: stateDir,
        NIMBUS_DATABASE_CONNECTION: url,
        NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL,
        NIMBUS_HOST: 'volume-node',
        NIMBUS_VOLUME_TARGET_PORT: String(20_000 + randomInt(0, 20_000)),
        NIMBUS_VOLUME_TARGET_PORT_COUNT: '50',
      });
      try {
        await node.waitFor(/Nimbus all-in-one cloud is running/, 120_000);
        const admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
        const rest = openstackRest(admin);
        const agent = await startRemoteComputeAgent({ host: 'remote-1', driver: 'qemu', busUrl: RABBIT_URL, serviceUser: admin });
        try {
          await openstackOk(admin, ['--os-compute-api-version', '2.37', 'server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', '--nic', 'none', 'vm1']);
          const server = await serverStatus(admin, rest, 'vm1', 'ACTIVE');
          const consoleSocket = new InstanceDir(agent.paths, String(server['id'])).consoleSocket;
          await pollUntil('the ready line', async () => (/=== nimbus-tiny ready/.test(await rest.consoleLog(String(server['id']))) ? true : undefined), POLL_MS, 300);

          const volume = await openstackJson<Json>(admin, ['volume', 'create', '--size', '1', 'far']);
          const volumeId = String(volume['id']);
          await volumeStatus(admin, rest, 'far', 'available');
          const started = Date.now();
          await openstackOk(admin, ['server', 'add', 'volume', 'vm1', 'far']);
          await volumeStatus(admin, rest, 'far', 'in-use');
          await waitFor('the disk in the guest', async () => ((await runInGuest(consoleSocket, 'cat /sys/block/vdb/serial 2>/dev/null; echo')).includes(volumeId.slice(0, 20)) ? true : undefined));
          t.diagnostic(`server add volume → disk in the guest over NBD ${Date.now() - started} ms`);
          assert.equal(daemonsUnder(exportsDir).length, 1, 'one export for the attachment');

          const marker = `nbd-remote-${volumeId}`;
          await runInGuest(consoleSocket, `echo ${marker} | dd of=/dev/vdb conv=fsync 2>/dev/null`);

          // Online extend (3.42): the export is made again at 2 GiB and the guest's disk follows it.
          const extendStarted = Date.now();
          await openstackOk(admin, ['--os-volume-api-version', '3.42', 'volume', 'set', '--size', '2', 'far']);
          await waitFor('the guest sees 2 GiB', async () => ((await runInGuest(consoleSocket, 'cat /sys/block/vdb/size')).includes(String((2 * 1024 ** 3) / 512)) ? true : undefined));
          t.diagnostic(`volume set --size 2 of the in-use volume → the guest sees 2 GiB over NBD ${Date.now() - extendStarted} ms`);
          assert.equal((await volumeStatus(admin, rest, 'far', 'in-use'))['size'], 2);
          assert.equal(daemonsUnder(exportsDir).length, 1, 'still one export for the attachment');
          await openstackOk(admin, ['server', 'remove', 'volume', 'vm1', 'far']);
          await volumeStatus(admin, rest, 'far', 'available');
          assert.deepEqual(daemonsUnder(exportsDir), [], 'the export ended with the attachment');
          // The volume's head only: a file of 2 GiB is more than readFileSync reads.
          const head = Buffer.alloc(marker.length);
          const fd = openSync(join(stateDir, 'volumes', `volume-${volumeId}`), 'r');
          readSync(fd, head, 0, marker.length, 0);
          closeSync(fd);
          const bytes = head.toString();
          assert.equal(bytes, marker, 'what the guest wrote is in the volume');

          await openstackOk(admin, ['server', 'delete', '--wait', 'vm1']);
          await openstackOk(admin, ['volume', 'delete', 'far']);
        } finally {
          await openstack(admin, ['server', 'delete', '--wait', 'vm1']);
          assert.equal(await agent.stop(), 0, agent.nimbus.output());
        }
      } finally {
        for (const pid of daemonsUnder(exportsDir)) process.kill(pid, 'SIGKILL');
        node.child.kill('SIGTERM');
        assert.equal(await node.exited(), 0, node.output());
        rmSync(stateDir, { recursive: true, force: true });
      }
    });
  });
});
