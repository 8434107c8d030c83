import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { qemusUnder } from '../../src/compute/virt/qemu/testing/stray-qemus.js';
import { openstackJson } from '../support/openstack-cli.js';
import { pollUntil } from '../support/openstack-rest.js';
import { qemuCliUnavailable, startQemuCliCloud, type QemuCliCloud, type Server } from '../support/qemu-cli-cloud.js';

// Issue 15's "boot from volume, then live migration of that server keeps the data", through
// Debian's openstack CLI against `nimbus up --driver qemu --compute-hosts 2`: a real TCG guest
// booted from a volume made from nimbus-tiny, with a second volume attached, live-migrates (its
// memory and the files it wrote on both volumes come along) and is cold-migrated back and
// confirmed (the files on its volumes are still there after the reboot). Each volume stays in-use,
// with one attachment whose host is the guest's. The file backend's volumes are files every host
// of this machine reaches, so no disk is copied.
const skip = qemuCliUnavailable();

const HOST = 'OS-EXT-SRV-ATTR:host';

describe('a volume-backed guest with an attached volume moves between two qemu hosts through the openstack CLI', { skip }, () => {
  let cloud: QemuCliCloud;
  const servers: string[] = [];
  const volumes: string[] = [];

  /** The newest migration's status once it ended (the CLI's migration list, newest first). */
  async function migrationOutcome(count: number): Promise<unknown> {
    const id = await cloud.idOf('bfv');
    const ended = (migrations: Server[], status: unknown) => migrations.length === count && ['completed', 'finished', 'confirmed', 'error', 'failed'].includes(String(status));
    // Polled over REST (600 polls of the CLI took at least 1380 s), then read as the CLI lists them.
    await pollUntil(`migration #${count} to end`, async () => {
      const migrations = (await cloud.rest.get(`/compute/v2.1/os-migrations?instance_uuid=${id}`))['migrations'] as Server[];
      return ended(migrations, migrations[0]?.['status']) ? true : undefined;
    }, 1_380_000, 500);
    const migrations = await openstackJson<Server[]>(cloud.admin, ['server', 'migration', 'list', '--server', id]);
    const status = migrations[0]?.['Status'];
    assert.ok(ended(migrations, status), `server migration list: ${JSON.stringify(migrations)}`);
    return status;
  }

  const volumeShow = (volume: string) => openstackJson<Server>(cloud.admin, ['volume', 'show', volume]);
  /** The volume over REST, for polls (a CLI run costs ~1.8 s of CPU). */
  async function volumeOverRest(volume: string): Promise<Server> {
    const shown = await cloud.rest.volume(volume);
    if (shown === undefined) throw new Error(`no volume ${volume}`);
    return shown;
  }

  /** Each volume's status and the hosts of its attachments (all of them the server's), as `volume show` (or `read`) shows them. */
  async function holders(read = volumeShow): Promise<string[]> {
    const id = await cloud.idOf('bfv');
    const out: string[] = [];
    for (const volume of volumes) {
      const shown = await read(volume);
      const attachments = shown['attachments'] as Server[];
      assert.ok(attachments.every((attachment) => attachment['server_id'] === id), JSON.stringify(attachments));
      out.push([shown['status'], ...attachments.map((attachment) => attachment['host_name'])].join(' '));
    }
    return out;
  }

  /** What the guest wrote: in memory, on its root volume's FAT partition and at the start of its data volume. */
  const written = () => cloud.inGuest('bfv', 'cat /tmp/marker /disk/marker; dd if=/dev/vdb bs=11 count=1 2>/dev/null; echo');

  before(async () => {
    cloud = await startQemuCliCloud('volmv', 2);
  });
  after(async () => {
    // The volumes are files under the cloud's state dir, which goes with it.
    await cloud?.stop(servers);
  });

  test('boot from volume, attach a second, live-migrate (the guest runs on with its files), cold-migrate back and confirm (the files are on its volumes)', async () => {
    // No port: the two hosts share one network namespace, where a tap is held by one QEMU at a time.
    servers.push('bfv');
    await cloud.ok(['--os-compute-api-version', '2.37', 'server', 'create', '--image', 'nimbus-tiny', '--boot-from-volume', '1', '--flavor', 'm1.tiny', '--nic', 'none', 'bfv']);
    const shown = await cloud.waitForStatus('bfv', 'ACTIVE');
    await cloud.nextBoot('bfv');
    const rootId = String(((shown['volumes_attached'] as Server[])[0] ?? {})['id']);
    volumes.push(rootId);
    const data = await openstackJson<Server>(cloud.admin, ['volume', 'create', '--size', '1', 'bfv-data']);
    volumes.push(String(data['id']));
    await cloud.waitForVolumeStatus('bfv-data', 'available');
    await cloud.ok(['server', 'add', 'volume', 'bfv', 'bfv-data']);
    await cloud.waitForVolumeStatus('bfv-data', 'in-use');
    for (let attempt = 0; attempt < 60 && !(await cloud.inGuest('bfv', 'ls /sys/block')).includes('vdb'); attempt += 1) await sleep(500);
    await cloud.inGuest('bfv', 'echo kept-in-memory > /tmp/marker; echo on-the-root-volume > /disk/marker; echo data-volume | dd of=/dev/vdb conv=fsync 2>/dev/null; sync');
    assert.equal(await written(), 'kept-in-memory\non-the-root-volume\ndata-volume');
    const source = await cloud.instanceDir('bfv');
    assert.deepEqual(await holders(), [`in-use ${source.host}`, `in-use ${source.host}`]);

    // Live: the root disk is a volume every host reaches, so the migration is not a block migration.
    await cloud.ok(['server', 'migrate', '--live-migration', 'bfv']);
    assert.equal(await migrationOutcome(1), 'completed');
    const live = await cloud.waitForStatus('bfv', 'ACTIVE');
    const destination = String(live[HOST]);
    assert.notEqual(destination, source.host);
    assert.equal(await written(), 'kept-in-memory\non-the-root-volume\ndata-volume', 'the guest ran on: memory and both volumes as they were');
    assert.deepEqual(await holders(), [`in-use ${destination}`, `in-use ${destination}`], 'the attachments follow the guest');
    assert.equal(existsSync(source.dir.runtime), false, 'nothing of the guest runs on the source');
    assert.equal(qemusUnder(cloud.stateDir).length, 1);

    // Cold, back to the first host: the guest boots again there from its volume.
    await cloud.ok(['server', 'migrate', 'bfv']);
    await cloud.waitForStatus('bfv', 'VERIFY_RESIZE');
    assert.deepEqual(await holders(), [`in-use ${destination} ${source.host}`, `in-use ${destination} ${source.host}`], 'both hosts hold the volumes until confirm');
    await cloud.ok(['server', 'resize', 'confirm', 'bfv']);
    const back = await cloud.waitForStatus('bfv', 'ACTIVE');
    assert.equal(back[HOST], source.host);
    await cloud.nextBoot('bfv');
    assert.equal(await cloud.inGuest('bfv', 'cat /disk/marker; dd if=/dev/vdb bs=11 count=1 2>/dev/null; echo'), 'on-the-root-volume\ndata-volume');
    // 60 polls of two `volume show`s took at least 240 s.
    await pollUntil('the source alone to hold the volumes', async () => ((await holders(volumeOverRest)).every((holder) => holder === `in-use ${source.host}`) ? true : undefined), 240_000, 500).catch(() => undefined);
    assert.deepEqual(await holders(), [`in-use ${source.host}`, `in-use ${source.host}`]);
    assert.equal(qemusUnder(cloud.stateDir).length, 1);

    await cloud.ok(['server', 'remove', 'volume', 'bfv', 'bfv-data']);
    await cloud.waitForVolumeStatus('bfv-data', 'available');
  });
});
