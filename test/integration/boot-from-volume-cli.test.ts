import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { openstack, openstackJson } from '../support/openstack-cli.js';
import { qemuCliUnavailable, startQemuCliCloud, type QemuCliCloud } from '../support/qemu-cli-cloud.js';

// Issue 15's boot from volume through Debian's python3-openstackclient against `nimbus up
// --driver qemu`: `server create --boot-from-volume` makes the root volume from the image on the
// compute host and a real TCG guest boots from it as vda; the volume outlives its server
// (delete_on_termination false, the CLI's default) and `server create --volume` boots it again;
// `server image create` of a volume-backed server and a boot from that image; 2.87's rescue;
// a multiattach volume in two guests.
const skip = qemuCliUnavailable();

type Row = Record<string, unknown>;

describe('boot from volume with QEMU guests through the openstack CLI', { skip }, () => {
  let cloud: QemuCliCloud;
  const servers: string[] = [];

  /** The serial of the guest's vda (the first 20 characters of the volume id, as virtio-blk holds). */
  const rootSerial = async (server: string): Promise<string> => (await cloud.inGuest(server, 'cat /sys/block/vda/serial; echo')).trim().split('\n').at(-1)?.trim() ?? '';

  before(async () => {
    cloud = await startQemuCliCloud('bfv', 1);
  });
  after(async () => {
    await cloud?.stop(servers);
  });

  test('--boot-from-volume: the guest boots from a volume made from the image; the volume stays when the server goes and --volume boots it again', async () => {
    servers.push('bfv-a');
    await cloud.ok(['server', 'create', '--image', 'nimbus-tiny', '--boot-from-volume', '1', '--flavor', 'm1.tiny', 'bfv-a']);
    const shown = await cloud.waitForStatus('bfv-a', 'ACTIVE');
    await cloud.nextBoot('bfv-a');
    assert.match(String(shown['image']), /booted from volume/i);
    const attached = shown['volumes_attached'] as Row[];
    assert.equal(attached.length, 1, JSON.stringify(attached));
    const volumeId = String(attached[0]?.['id']);
    const volume = await cloud.waitForVolumeStatus(volumeId, 'in-use');
    assert.deepEqual([volume['bootable'], volume['size']], ['true', 1]);
    assert.equal((volume['attachments'] as Row[])[0]?.['server_id'], await cloud.idOf('bfv-a'));
    assert.equal(await rootSerial('bfv-a'), volumeId.slice(0, 20));
    // The root disk is the volume: the host holds no image disk for it, and reports no local disk used.
    assert.deepEqual(Object.values(await cloud.hypervisorUsage()).map((host) => [host.runningVms, host.localGb]), [[1, 0]]);

    // Not delete_on_termination: the server goes, the volume is available again.
    await cloud.ok(['server', 'delete', '--wait', 'bfv-a']);
    servers.pop();
    await cloud.waitForVolumeStatus(volumeId, 'available');

    servers.push('bfv-b');
    await cloud.ok(['server', 'create', '--volume', volumeId, '--flavor', 'm1.tiny', 'bfv-b']);
    await cloud.waitForStatus('bfv-b', 'ACTIVE');
    await cloud.nextBoot('bfv-b');
    assert.equal(await rootSerial('bfv-b'), volumeId.slice(0, 20));
    await cloud.waitForVolumeStatus(volumeId, 'in-use');

    // Snapshot: a Cinder snapshot of the root volume and an image of no data that maps it; a server
    // booted from that image gets a new root volume made from the snapshot, with what the guest wrote.
    await cloud.inGuest('bfv-b', 'echo on-the-volume > /disk/marker; sync');
    await cloud.ok(['server', 'image', 'create', '--name', 'bfv-snap', '--wait', 'bfv-b']);
    const image = await openstackJson<Row>(cloud.admin, ['image', 'show', 'bfv-snap']);
    assert.deepEqual([image['status'], image['size']], ['active', 0]);
    const properties = image['properties'] as Row;
    assert.equal(properties['bdm_v2'], 'True');
    const [mapping] = JSON.parse(String(properties['block_device_mapping'])) as Row[];
    let snapshot: Row = {};
    for (let tries = 0; tries < 60 && snapshot['status'] !== 'available'; tries += 1) {
      if (tries > 0) await delay(500);
      snapshot = await openstackJson<Row>(cloud.admin, ['volume', 'snapshot', 'show', String(mapping?.['snapshot_id'])]);
    }
    assert.deepEqual([snapshot['status'], snapshot['volume_id']], ['available', volumeId]);
    servers.push('bfv-c');
    await cloud.ok(['server', 'create', '--image', 'bfv-snap', '--flavor', 'm1.tiny', 'bfv-c']);
    const copy = await cloud.waitForStatus('bfv-c', 'ACTIVE');
    await cloud.nextBoot('bfv-c');
    const copyVolume = String((copy['volumes_attached'] as Row[])[0]?.['id']);
    assert.notEqual(copyVolume, volumeId);
    assert.equal(await rootSerial('bfv-c'), copyVolume.slice(0, 20));
    assert.equal(await cloud.inGuest('bfv-c', 'cat /disk/marker'), 'on-the-volume');

    // Rescue (2.87) with a stable-device rescue image: the rescue disk boots, the root volume stays vda.
    await cloud.ok(['image', 'set', '--property', 'hw_rescue_bus=virtio', '--property', 'hw_rescue_device=disk', 'nimbus-tiny']);
    const old = await openstack(cloud.admin, ['--os-compute-api-version', '2.86', 'server', 'rescue', '--image', 'nimbus-tiny', 'bfv-b']);
    assert.match(old.stderr, /Cannot rescue a volume-backed instance \(HTTP 400\)/);
    await cloud.ok(['--os-compute-api-version', '2.87', 'server', 'rescue', '--image', 'nimbus-tiny', 'bfv-b']);
    await cloud.waitForStatus('bfv-b', 'RESCUE');
    assert.match((await cloud.nextBoot('bfv-b')).line, /disks=vda,vdb/);
    assert.equal(await rootSerial('bfv-b'), volumeId.slice(0, 20));
    assert.equal(await cloud.inGuest('bfv-b', 'cat /disk/marker'), 'on-the-volume');
    await cloud.ok(['server', 'unrescue', 'bfv-b']);
    await cloud.waitForStatus('bfv-b', 'ACTIVE');
    assert.match((await cloud.nextBoot('bfv-b')).line, /disks=vda /);

    // Multiattach (2.60): a volume of a type with multiattach="<is> True" in both guests at once;
    // what one writes the other reads (QEMU opens it with share-rw in both).
    await cloud.ok(['volume', 'type', 'create', '--property', 'multiattach=<is> True', 'bfv-shared']);
    const shared = await openstackJson<Row>(cloud.admin, ['volume', 'create', '--size', '1', '--type', 'bfv-shared', 'bfv-shared']);
    const sharedId = String(shared['id']);
    await cloud.waitForVolumeStatus(sharedId, 'available');
    for (const server of ['bfv-b', 'bfv-c']) await cloud.ok(['--os-compute-api-version', '2.60', 'server', 'add', 'volume', server, sharedId]);
    const sharedInUse = await cloud.waitForVolumeStatus(sharedId, 'in-use');
    assert.equal(sharedInUse['multiattach'], true);
    const serials = async (server: string) => cloud.inGuest(server, 'for d in /sys/block/vd*; do cat $d/serial; echo; done');
    for (const server of ['bfv-b', 'bfv-c']) {
      for (let tries = 0; tries < 60 && !(await serials(server)).includes(sharedId.slice(0, 20)); tries += 1) await delay(1000);
    }
    const device = async (server: string) => (await cloud.inGuest(server, `grep -l ${sharedId.slice(0, 20)} /sys/block/vd*/serial | cut -d/ -f4`)).trim().split('\n').at(-1) ?? '';
    await cloud.inGuest('bfv-b', `echo shared-by-two | dd of=/dev/${await device('bfv-b')} bs=512 conv=sync,fsync oflag=direct`);
    assert.match(await cloud.inGuest('bfv-c', `dd if=/dev/${await device('bfv-c')} iflag=direct bs=512 count=1 2>/dev/null | head -c 13`), /shared-by-two/);
  });

  test('a blank volume without a size is Nova’s 400 and no server is made', async () => {
    const failed = await openstack(cloud.admin, ['server', 'create', '--image', 'nimbus-tiny', '--block-device', 'source_type=blank,destination_type=volume', '--flavor', 'm1.tiny', 'bfv-none']);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /Blank volumes \(source: 'blank', dest: 'volume'\) need to have non-zero size \(HTTP 400\)/);
    const listed = await openstackJson<Row[]>(cloud.admin, ['server', 'list']);
    assert.ok(!listed.some((server) => server['Name'] === 'bfv-none'));
  });
});
