import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openstack, openstackJson } from '../support/openstack-cli.js';
import { qemuCliUnavailable, startQemuCliCloud, type QemuCliCloud } from '../support/qemu-cli-cloud.js';

// Issue 15's boot from volume through Debian's python3-openstackclient against `nimbus up
// --driver qemu`: `server create --boot-from-volume` makes the root volume from the image on the
// compute host and a real TCG guest boots from it as vda; the volume outlives its server
// (delete_on_termination false, the CLI's default) and `server create --volume` boots it again.
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

    // What this cloud cannot do with a root volume is a clear 409, and the guest keeps running.
    const refused = await openstack(cloud.admin, ['server', 'image', 'create', '--name', 'snap', 'bfv-b']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /volume-backed/);
    assert.equal((await cloud.show('bfv-b'))['status'], 'ACTIVE');
  });

  test('a blank volume without a size is Nova’s 400 and no server is made', async () => {
    const failed = await openstack(cloud.admin, ['server', 'create', '--image', 'nimbus-tiny', '--block-device', 'source_type=blank,destination_type=volume', '--flavor', 'm1.tiny', 'bfv-none']);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /Blank volumes \(source: 'blank', dest: 'volume'\) need to have non-zero size \(HTTP 400\)/);
    const listed = await openstackJson<Row[]>(cloud.admin, ['server', 'list']);
    assert.ok(!listed.some((server) => server['Name'] === 'bfv-none'));
  });
});
