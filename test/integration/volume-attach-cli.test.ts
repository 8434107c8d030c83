import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { openstack, openstackJson } from '../support/openstack-cli.js';
import { qemuCliUnavailable, startQemuCliCloud, type QemuCliCloud } from '../support/qemu-cli-cloud.js';

// Issue 15's compute acceptance through Debian's python3-openstackclient against `nimbus up
// --driver qemu`: a volume of the file backend attached to a real TCG guest, its data carried to
// a second guest, an online extend the guest sees, and the volume statuses the CLI shows on the way.
const skip = qemuCliUnavailable();

type Row = Record<string, unknown>;

describe('volumes attached to QEMU guests through the openstack CLI', { skip }, () => {
  let cloud: QemuCliCloud;
  const servers: string[] = [];

  /** The guest's block devices with their serials, e.g. `vdb=0123…` (the id's first 20 characters, as virtio-blk holds). */
  const guestDisks = async (server: string): Promise<Map<string, string>> => {
    const listing = await cloud.inGuest(server, 'for d in /sys/block/vd*; do echo "$(basename $d)=$(cat $d/serial 2>/dev/null)"; done');
    return new Map(listing.split('\n').filter((line) => line.includes('=')).map((line) => line.trim().split('=') as [string, string]));
  };
  const waitForDisk = async (server: string, present: boolean, serial: string): Promise<string | undefined> => {
    for (let attempt = 0; attempt < 60; attempt += 1) {
      const found = [...(await guestDisks(server))].find(([, value]) => value === serial)?.[0];
      if ((found !== undefined) === present) return found;
      await sleep(500);
    }
    throw new Error(`${server}: the disk with serial ${serial} ${present ? 'never appeared' : 'never went away'}`);
  };

  before(async () => {
    cloud = await startQemuCliCloud('volat', 1);
    for (const name of ['vol-a', 'vol-b']) {
      await cloud.ok(['server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', name]);
      servers.push(name);
    }
    for (const name of servers) {
      await cloud.waitForStatus(name, 'ACTIVE');
      await cloud.nextBoot(name);
    }
  });
  after(async () => {
    await cloud?.stop(servers);
  });

  test('attach → the guest sees the disk by its serial; it grows online; data written survives detach and shows up on a second server; in-use refuses delete', async () => {
    const volume = await openstackJson<Row>(cloud.admin, ['volume', 'create', '--size', '1', 'data']);
    const volumeId = String(volume['id']);
    const serial = volumeId.slice(0, 20);
    await cloud.waitForVolumeStatus('data', 'available');

    await cloud.ok(['server', 'add', 'volume', 'vol-a', 'data']);
    const attached = await cloud.waitForVolumeStatus('data', 'in-use');
    const [attachment] = attached['attachments'] as Row[];
    assert.equal(attachment?.['server_id'], await cloud.idOf('vol-a'));
    assert.equal(attachment?.['device'], '/dev/vdb');
    const device = await waitForDisk('vol-a', true, serial);
    assert.equal(device, 'vdb');
    const shown = await cloud.show('vol-a');
    assert.match(JSON.stringify(shown['volumes_attached']), new RegExp(volumeId));

    // 2.85 changes delete_on_termination of an attachment; 2.89 lists it with its attachment and BDM ids instead of ID.
    const volumeList = async (version: string) => (await openstackJson<Row[]>(cloud.admin, ['--os-compute-api-version', version, 'server', 'volume', 'list', 'vol-a']))[0] ?? {};
    assert.equal((await volumeList('2.79'))['Delete On Termination?'], false);
    await cloud.ok(['--os-compute-api-version', '2.85', 'server', 'volume', 'update', '--delete-on-termination', 'vol-a', volumeId]);
    const listed = await volumeList('2.89');
    assert.deepEqual([listed['Delete On Termination?'], listed['Attachment ID'], 'ID' in listed], [true, attachment?.['attachment_id'], false]);
    assert.match(String(listed['BlockDeviceMapping UUID']), /^[0-9a-f-]{36}$/);
    await cloud.ok(['--os-compute-api-version', '2.85', 'server', 'volume', 'update', '--preserve-on-termination', 'vol-a', volumeId]);

    // 3.42: the attached volume grows; Cinder tells compute, which resizes the guest's disk.
    await cloud.ok(['--os-volume-api-version', '3.42', 'volume', 'set', '--size', '2', 'data']);
    const sectors = async () => (await cloud.inGuest('vol-a', 'cat /sys/block/vdb/size')).trim().split('\n').at(-1);
    for (let attempt = 0; attempt < 60 && (await sectors()) !== String((2 * 1024 ** 3) / 512); attempt += 1) await sleep(500);
    assert.equal(await sectors(), String((2 * 1024 ** 3) / 512), 'the guest sees 2 GiB');
    assert.equal((await cloud.waitForVolumeStatus('data', 'in-use'))['size'], 2);

    const marker = `nimbus-${volumeId}`;
    await cloud.inGuest('vol-a', `echo ${marker} | dd of=/dev/vdb conv=fsync 2>/dev/null; sync`);

    const refused = await openstack(cloud.admin, ['volume', 'delete', 'data']);
    assert.notEqual(refused.code, 0, 'an in-use volume cannot be deleted');
    assert.match(refused.stderr, /400|must not be attached|status must be/);
    const second = await openstack(cloud.admin, ['server', 'add', 'volume', 'vol-b', 'data']);
    assert.notEqual(second.code, 0, 'an in-use volume that is not multiattach cannot be attached twice');
    assert.match(second.stderr, /400|status must be/);

    await cloud.ok(['server', 'remove', 'volume', 'vol-a', 'data']);
    await cloud.waitForVolumeStatus('data', 'available');
    await waitForDisk('vol-a', false, serial);
    assert.doesNotMatch(JSON.stringify((await cloud.show('vol-a'))['volumes_attached']), new RegExp(volumeId));

    await cloud.ok(['server', 'add', 'volume', 'vol-b', 'data']);
    await cloud.waitForVolumeStatus('data', 'in-use');
    const onB = await waitForDisk('vol-b', true, serial);
    const read = await cloud.inGuest('vol-b', `dd if=/dev/${String(onB)} bs=${marker.length} count=1 2>/dev/null; echo`);
    assert.equal(read.trim(), marker);

    await cloud.ok(['server', 'remove', 'volume', 'vol-b', 'data']);
    await cloud.waitForVolumeStatus('data', 'available');
    await cloud.ok(['volume', 'delete', 'data']);
  });
});
