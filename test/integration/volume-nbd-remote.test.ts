import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { qemuSystemBinary } from '../../src/compute/virt/qemu/host/qemu-binary.js';
import { InstanceDir, hostPaths } from '../../src/compute/virt/qemu/instance/instance-dir.js';
import { runInGuest } from '../../src/compute/virt/qemu/testing/guest-console.js';
import { killQemusUnder } from '../../src/compute/virt/qemu/testing/stray-qemus.js';
import { daemonsUnder, storageDaemonBinary } from '../../src/volume/targets/nbd/storage-daemon.js';
import { unavailable, withTestDatabase } from '../support/databases.js';
import { freePort } from '../support/free-port.js';
import { runNimbus } from '../support/nimbus-process.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, parseOpenrc, type OpenstackEnv } from '../support/openstack-cli.js';
import { openstackRest, pollUntil, serverSettled, type OpenstackRest } from '../support/openstack-rest.js';
import { RABBIT_URL, rabbitUnavailable } from '../support/rabbitmq.js';
import { startRemoteComputeAgent } from '../support/remote-compute-agent.js';

// Issue 15's export to a compute host that cannot open the volume's path: the volume service
// runs in `nimbus up --compute-hosts 1` (its host compute-1 opens volumes by their path), the guest
// on `nimbus compute-agent --host remote-1` (another host to the volume service), so `server add
// volume` attaches the volume over NBD with TLS-PSK. The guest then live-migrates to compute-1,
// where the same disk is the volume's file, gets a second volume plugged there (its QEMU holds the
// file's image lock), and goes back to remote-1, both disks over NBD (Nova's attachment per
// destination, made in pre_live_migration; the source's deleted once the guest runs there).
const rabbitSkip = await rabbitUnavailable();
const dialect = (await unavailable('postgres')) === false ? 'postgres' : 'mariadb';
const skip =
  rabbitSkip ||
  (await unavailable(dialect)) ||
  openstackCliUnavailable() ||
  (qemuSystemBinary() === undefined ? 'qemu-system-x86_64 is not installed' : false) ||
  (storageDaemonBinary() === undefined ? 'qemu-storage-daemon is not installed' : false);

type Json = Record<string, unknown>;
const HOST = 'OS-EXT-SRV-ATTR:host';

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
  test("server add volume → the guest writes it over NBD → volume set --size grows it in the guest → live migration to the volume's host (its file), a volume plugged there, and back (NBD) keeps the disks and their bytes → server remove volume → the bytes are in the volumes, no export left", async (t) => {
    await withTestDatabase(dialect, async (url) => {
      const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-nbd-'));
      const exportsDir = join(stateDir, 'volume-exports');
      const port = await freePort();
      const node = runNimbus(['up', '--port', String(port), '--driver', 'qemu', '--compute-hosts', '1'], {
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
          await openstackOk(admin, ['--os-compute-api-version', '2.74', 'server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', '--nic', 'none', '--host', 'remote-1', 'vm1']);
          const server = await serverStatus(admin, rest, 'vm1', 'ACTIVE');
          const remoteSocket = new InstanceDir(agent.paths, String(server['id'])).consoleSocket;
          let consoleSocket = remoteSocket;
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

          // Live migration to the volume's own host and back: the guest's disk is the volume's file there, NBD here.
          /** What the guest reads from a disk itself (its page cache dropped): the disk's serial and its first `length` bytes. */
          const readBack = (disk: string, length: number) =>
            runInGuest(consoleSocket, `echo 3 > /proc/sys/vm/drop_caches; cat /sys/block/${disk}/serial; echo; dd if=/dev/${disk} bs=${length} count=1 2>/dev/null; echo`);
          const attachmentHosts = async (name: string) => ((await volumeStatus(admin, rest, name, 'in-use'))['attachments'] as Json[]).map((attachment) => attachment['host_name']);
          const liveMigrate = async (host: string) => {
            const moveStarted = Date.now();
            await openstackOk(admin, ['--os-compute-api-version', '2.30', 'server', 'migrate', '--live-migration', '--block-migration', '--host', host, 'vm1']);
            await pollUntil(`vm1 on ${host}`, async () => {
              const shown = await rest.serverNamed('vm1');
              if (shown['status'] === 'ERROR') throw new Error(`vm1 went to ERROR: ${JSON.stringify(shown['fault'])}`);
              if (shown['OS-EXT-STS:task_state'] !== null) return undefined;
              if (shown[HOST] === host) return true;
              const migrations = (await rest.get(`/compute/v2.1/os-migrations?instance_uuid=${String(shown['id'])}`))['migrations'] as Json[];
              throw new Error(`vm1 stayed on ${String(shown[HOST])}: migration ${String(migrations[0]?.['status'])}`);
            }, POLL_MS, 300);
            t.diagnostic(`live migration to ${host} ${Date.now() - moveStarted} ms`);
            assert.equal((await serverStatus(admin, rest, 'vm1', 'ACTIVE'))[HOST], host);
          };
          await liveMigrate('compute-1');
          consoleSocket = new InstanceDir(hostPaths(stateDir, 'compute-1'), String(server['id'])).consoleSocket;
          assert.equal(await readBack('vdb', marker.length), `${volumeId.slice(0, 20)}\n${marker}`, "on the volume's file: the same disk and bytes");
          assert.deepEqual(await attachmentHosts('far'), ['compute-1'], "the attachment is the destination's");
          await pollUntil('the remote export to end', async () => (daemonsUnder(exportsDir).length === 0 ? true : undefined), POLL_MS, 300);

          // A volume plugged here opens its file as the guest's own (QEMU locks it against other writers): the move back exports it while the guest holds it.
          const near = await openstackJson<Json>(admin, ['volume', 'create', '--size', '1', 'near']);
          const nearId = String(near['id']);
          await volumeStatus(admin, rest, 'near', 'available');
          await openstackOk(admin, ['server', 'add', 'volume', 'vm1', 'near']);
          await volumeStatus(admin, rest, 'near', 'in-use');
          await waitFor('the local disk in the guest', async () => ((await runInGuest(consoleSocket, 'cat /sys/block/vdc/serial 2>/dev/null; echo')).includes(nearId.slice(0, 20)) ? true : undefined));
          const nearMarker = `local-${nearId}`;
          await runInGuest(consoleSocket, `echo ${nearMarker} | dd of=/dev/vdc conv=fsync 2>/dev/null`);
          assert.deepEqual(daemonsUnder(exportsDir), [], 'the local host opens the file: no export');

          await liveMigrate('remote-1');
          consoleSocket = remoteSocket;
          assert.equal(await readBack('vdb', marker.length), `${volumeId.slice(0, 20)}\n${marker}`, 'over NBD again: the same disk and bytes');
          assert.equal(await readBack('vdc', nearMarker.length), `${nearId.slice(0, 20)}\n${nearMarker}`, 'the volume plugged on the volume host, now over NBD');
          assert.deepEqual([await attachmentHosts('far'), await attachmentHosts('near')], [['remote-1'], ['remote-1']]);
          assert.equal(daemonsUnder(exportsDir).length, 2, 'an export for each new attachment');

          for (const name of ['far', 'near']) {
            await openstackOk(admin, ['server', 'remove', 'volume', 'vm1', name]);
            await volumeStatus(admin, rest, name, 'available');
          }
          assert.deepEqual(daemonsUnder(exportsDir), [], 'the exports ended with the attachments');
          /** The volume's head only: a file of 2 GiB is more than readFileSync reads. */
          const headOf = (id: string, length: number) => {
            const head = Buffer.alloc(length);
            const fd = openSync(join(stateDir, 'volumes', `volume-${id}`), 'r');
            readSync(fd, head, 0, length, 0);
            closeSync(fd);
            return head.toString();
          };
          assert.deepEqual([headOf(volumeId, marker.length), headOf(nearId, nearMarker.length)], [marker, nearMarker], 'what the guest wrote is in the volumes');

          await openstackOk(admin, ['server', 'delete', '--wait', 'vm1']);
          await openstackOk(admin, ['volume', 'delete', 'far', 'near']);
        } finally {
          await openstack(admin, ['server', 'delete', '--wait', 'vm1']);
          assert.equal(await agent.stop(), 0, agent.nimbus.output());
        }
      } finally {
        for (const pid of daemonsUnder(exportsDir)) process.kill(pid, 'SIGKILL');
        // A guest left on compute-1 by a failed step: guests outlive their agent by design.
        killQemusUnder(stateDir);
        node.child.kill('SIGTERM');
        assert.equal(await node.exited(), 0, node.output());
        rmSync(stateDir, { recursive: true, force: true });
      }
    });
  });
});
