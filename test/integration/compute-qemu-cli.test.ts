import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { qemusUnder } from '../../src/compute/virt/qemu/testing/stray-qemus.js';
import { openstack, openstackJson } from '../support/openstack-cli.js';
import { pollUntil } from '../support/openstack-rest.js';
import { qemuCliUnavailable, startQemuCliCloud, type QemuCliCloud, type Server } from '../support/qemu-cli-cloud.js';

// Issue 7 through Debian's openstack CLI: `nimbus up --driver qemu` with two hosts provides
// nimbus-tiny, and a real TCG guest boots, stops, starts, reboots, pauses, suspends, is
// snapshotted (a second guest boots from the snapshot), live-migrates and is deleted.
const skip = qemuCliUnavailable();

describe('real guests through the openstack CLI (qemu driver)', { skip }, () => {
  let cloud: QemuCliCloud;

  /** Waits until the server has `count` migrations and the newest one ended; returns its status. */
  async function migrationOutcome(server: string, count: number): Promise<unknown> {
    const id = String((await cloud.show(server))['id']);
    const ended = (migrations: Server[], status: unknown) => migrations.length === count && (status === 'completed' || status === 'error' || status === 'failed');
    // Polled over REST (300 polls of the CLI took at least 600 s), then read as the CLI lists them.
    await pollUntil(`${server}: migration #${count} to end`, async () => {
      const migrations = (await cloud.rest.get(`/compute/v2.1/os-migrations?instance_uuid=${id}`))['migrations'] as Server[];
      // Newest first, as Nova lists them.
      return ended(migrations, migrations[0]?.['status']) ? true : undefined;
    }, 600_000);
    const migrations = await openstackJson<Server[]>(cloud.admin, ['server', 'migration', 'list', '--server', id]);
    const status = migrations[0]?.['Status'];
    assert.ok(ended(migrations, status), `server migration list of ${server}: ${JSON.stringify(migrations)}`);
    return status;
  }
  const uptime = async (server: string) => Number.parseFloat((await cloud.inGuest(server, 'cut -d" " -f1 /proc/uptime')).split('\n').pop() ?? 'NaN');

  before(async () => {
    cloud = await startQemuCliCloud('qemu-cli');
  });
  after(async () => {
    await cloud.stop(['vm1', 'vm2', 'vm3']);
  });

  test('the first run provides the public image nimbus-tiny and a QEMU hypervisor', async () => {
    const images = await openstackJson<Record<string, unknown>[]>(cloud.admin, ['image', 'list', '--public']);
    assert.deepEqual(
      images.map((image) => [image['Name'], image['Status']]),
      [['nimbus-tiny', 'active']],
    );
    const [hypervisor] = await openstackJson<Record<string, unknown>[]>(cloud.admin, ['hypervisor', 'list', '--long']);
    assert.equal(hypervisor?.['Hypervisor Type'], 'QEMU');
  });

  test('launch boots a real guest: ACTIVE, then its ready line on the console', async (t) => {
    const started = Date.now();
    // No port: this cloud's two hosts share one network namespace, where a guest's tap can only be
    // held by one QEMU at a time, so a guest with a port cannot live-migrate between them (below).
    await cloud.ok(['--os-compute-api-version', '2.37', 'server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', '--nic', 'none', 'vm1']);
    await cloud.waitForStatus('vm1', 'ACTIVE');
    const active = Date.now();
    assert.equal((await cloud.nextBoot('vm1')).boot, 1);
    t.diagnostic(`create → ACTIVE ${active - started} ms, create → ready line ${Date.now() - started} ms (through the CLI)`);
    assert.equal(qemusUnder(cloud.stateDir).length, 1);
  });

  test('stop, start, hard and soft reboot each boot the guest again', async () => {
    await cloud.ok(['server', 'stop', 'vm1']);
    await cloud.waitForStatus('vm1', 'SHUTOFF');
    assert.deepEqual(qemusUnder(cloud.stateDir), []);
    await cloud.ok(['server', 'start', 'vm1']);
    await cloud.waitForStatus('vm1', 'ACTIVE');
    assert.equal((await cloud.nextBoot('vm1')).boot, 2);
    await cloud.ok(['server', 'reboot', '--hard', 'vm1']);
    await cloud.waitForStatus('vm1', 'ACTIVE');
    assert.equal((await cloud.nextBoot('vm1')).boot, 3);
    await cloud.ok(['server', 'reboot', 'vm1']);
    await cloud.waitForStatus('vm1', 'ACTIVE');
    assert.equal((await cloud.nextBoot('vm1')).boot, 4);
  });

  test('pause freezes the guest (QEMU reports it paused), unpause lets it carry on', async () => {
    await cloud.ok(['server', 'pause', 'vm1']);
    const paused = await cloud.waitForStatus('vm1', 'PAUSED');
    assert.equal(paused['OS-EXT-STS:power_state'], 3, 'QEMU reports the guest paused');
    await assert.rejects(cloud.inGuest('vm1', 'echo awake', 1500), /did not finish/);
    await cloud.ok(['server', 'unpause', 'vm1']);
    assert.equal((await cloud.waitForStatus('vm1', 'ACTIVE'))['OS-EXT-STS:power_state'], 1);
    assert.match(await cloud.inGuest('vm1', 'echo awake'), /awake/);
  });

  test('suspend ends the QEMU process and keeps the state file; resume continues the guest', async () => {
    await cloud.inGuest('vm1', 'echo kept-in-memory > /tmp/marker');
    const before = await uptime('vm1');
    await cloud.ok(['server', 'suspend', 'vm1']);
    await cloud.waitForStatus('vm1', 'SUSPENDED');
    assert.deepEqual(qemusUnder(cloud.stateDir), []);
    assert.ok(existsSync((await cloud.instanceDir('vm1')).dir.savedState));
    await cloud.ok(['server', 'resume', 'vm1']);
    await cloud.waitForStatus('vm1', 'ACTIVE');
    assert.equal(await cloud.inGuest('vm1', 'cat /tmp/marker'), 'kept-in-memory');
    assert.ok((await uptime('vm1')) > before);
    assert.equal((await cloud.bootsOf('vm1')).length, 4, 'resume must not boot the guest again');
  });

  test('image create snapshots the disk: a new server from that image boots and holds the marker', async () => {
    await cloud.inGuest('vm1', 'echo before-snapshot > /disk/marker; sync');
    await cloud.ok(['server', 'image', 'create', '--name', 'vm1-snap', '--wait', 'vm1']);
    const image = await openstackJson<Record<string, unknown>>(cloud.admin, ['image', 'show', 'vm1-snap']);
    assert.equal(image['status'], 'active');
    await cloud.ok(['server', 'create', '--image', 'vm1-snap', '--flavor', 'm1.tiny', 'vm2']);
    await cloud.waitForStatus('vm2', 'ACTIVE');
    assert.equal((await cloud.nextBoot('vm2')).boot, 5);
    assert.equal(await cloud.inGuest('vm2', 'cat /disk/marker'), 'before-snapshot');
    await cloud.ok(['server', 'delete', '--wait', 'vm2']);
  });

  test('a guest with a port is refused live migration between hosts sharing one network namespace (400); it runs on with its address', async () => {
    await cloud.ok(['server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', '--wait', 'vm3']);
    const source = await cloud.instanceDir('vm3');
    const refused = await openstack(cloud.admin, ['server', 'migrate', '--live-migration', '--block-migration', 'vm3']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /shares its network namespace with the guest's host: its tap tap[0-9a-f-]{11} is held here.*\(HTTP 400\)/);
    const shown = await cloud.waitForStatus('vm3', 'ACTIVE');
    assert.equal(shown['OS-EXT-SRV-ATTR:host'], source.host);
    assert.match(JSON.stringify(shown['addresses']), /\d+\.\d+\.\d+\.\d+/);
    const [port] = await openstackJson<Server[]>(cloud.admin, ['port', 'list', '--server', String(shown['id'])]);
    assert.equal(port?.['Status'], 'ACTIVE', 'the port stays wired on its host');
    await cloud.ok(['server', 'delete', '--wait', 'vm3']);
  });

  test('live migration without shared storage and without block migration is refused (400); the guest runs on', async () => {
    const source = await cloud.instanceDir('vm1');
    const refused = await openstack(cloud.admin, ['server', 'migrate', '--live-migration', '--shared-migration', 'vm1']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, new RegExp(`${source.host} is not on shared storage: Shared storage live-migration requires either shared storage or boot-from-volume with no local disks\\. \\(HTTP 400\\)`));
    assert.equal(await migrationOutcome('vm1', 1), 'error');
    const shown = await cloud.waitForStatus('vm1', 'ACTIVE');
    assert.equal(shown['OS-EXT-SRV-ATTR:host'], source.host);
    assert.match(await cloud.inGuest('vm1', 'echo still-here'), /still-here/);
  });

  test('live migration with block migration: ACTIVE on the other host, uptime continues', async (t) => {
    const source = await cloud.instanceDir('vm1');
    const before = await uptime('vm1');
    const started = Date.now();
    await cloud.ok(['server', 'migrate', '--live-migration', '--block-migration', 'vm1']);
    assert.equal(await migrationOutcome('vm1', 2), 'completed');
    await cloud.waitForStatus('vm1', 'ACTIVE');
    t.diagnostic(`block live migration through the CLI: ${Date.now() - started} ms`);
    const destination = await cloud.instanceDir('vm1');
    assert.notEqual(destination.host, source.host);
    assert.ok((await uptime('vm1')) > before);
    assert.equal(await cloud.inGuest('vm1', 'cat /tmp/marker /disk/marker'), 'kept-in-memory\nbefore-snapshot');
    assert.equal(existsSync(source.dir.path), false);
    assert.equal(qemusUnder(cloud.stateDir).length, 1);
  });

  test('delete ends the QEMU process and removes the instance directory', async () => {
    const { dir } = await cloud.instanceDir('vm1');
    await cloud.ok(['server', 'delete', '--wait', 'vm1']);
    assert.deepEqual(qemusUnder(cloud.stateDir), []);
    assert.equal(existsSync(dir.path), false);
  });
});
