import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { InstanceDir, hostPaths } from '../../src/compute/virt/qemu/instance/instance-dir.js';
import { qemusUnder } from '../../src/compute/virt/qemu/testing/stray-qemus.js';
import type { HypervisorUsage } from '../support/compute-cloud.js';
import { openstackJson } from '../support/openstack-cli.js';
import { qemuCliUnavailable, startQemuCliCloud, type QemuCliCloud, type Server } from '../support/qemu-cli-cloud.js';

// Rescue, resize (confirmed and reverted) and cold migration of one real TCG guest through
// Debian's openstack CLI, on `nimbus up --driver qemu --compute-hosts 2`. The guest keeps a boot
// counter and a marker on its own disk's FAT partition (/disk), which tell its disk apart from
// the rescue disk and show the disk travelled.
const skip = qemuCliUnavailable();

/** 128 MB flavors with larger root disks than m1.tiny's 1 GB. */
const LARGER = [
  { name: 'moves.2g', rootGb: 2 },
  { name: 'moves.3g', rootGb: 3 },
] as const;
const sectors = (gb: number) => String((gb * 1024 ** 3) / 512);

describe('rescue, resize and cold migration of a real guest through the openstack CLI (qemu driver)', { skip }, () => {
  let cloud: QemuCliCloud;
  let bootCount = 0;

  const hostNow = async () => (await cloud.instanceDir('vm')).host;
  /** The guest's next boot from its own disk: the counter goes up by one. */
  async function bootsItsOwnDisk(): Promise<void> {
    bootCount += 1;
    assert.equal((await cloud.nextBoot('vm')).boot, bootCount);
  }
  const usageOf = (usage: HypervisorUsage, host: string) => usage[host] ?? assert.fail(`no hypervisor ${host} in ${JSON.stringify(usage)}`);
  /** Agents report usage just after each step: poll (10 s at most) until it settles where expected. */
  async function usageBecomes(expected: HypervisorUsage, what: string): Promise<void> {
    let usage = await cloud.hypervisorUsage();
    for (let attempt = 0; attempt < 50 && !isDeepStrictEqual(usage, expected); attempt += 1) {
      await sleep(200);
      usage = await cloud.hypervisorUsage();
    }
    assert.deepEqual(usage, expected, what);
  }

  /** One QEMU runs, and only the host that runs the guest keeps files of it (nothing left aside for a resize). */
  async function onlyFilesOn(host: string): Promise<void> {
    const id = await cloud.idOf('vm');
    const computes = join(cloud.stateDir, 'compute');
    const held = readdirSync(computes).flatMap((name) => {
      const { instances, runtime } = hostPaths(cloud.stateDir, name);
      return [instances, runtime].flatMap((dir) => readdirSync(dir).filter((entry) => entry.startsWith(id)).map((entry) => join(dir, entry)));
    });
    const own = new InstanceDir(hostPaths(cloud.stateDir, host), id);
    assert.deepEqual(held, [own.path, own.runtime]);
    assert.equal(qemusUnder(cloud.stateDir).length, 1);
  }

  /** From the newest request to its last step's end, as the server's action events record them (the CLI's --wait polls only every 5 s). */
  async function newestActionMs(): Promise<number> {
    const id = await cloud.idOf('vm');
    const [newest] = await openstackJson<Server[]>(cloud.admin, ['server', 'event', 'list', id]);
    const action = await openstackJson<Server>(cloud.admin, ['server', 'event', 'show', id, String(newest?.['Request ID'])]);
    const ends = (action['events'] as Server[]).map((event) => Date.parse(String(event['finish_time'])));
    return Math.max(...ends) - Date.parse(String(action['start_time']));
  }

  before(async () => {
    cloud = await startQemuCliCloud('qemu-moves');
    for (const flavor of LARGER) await cloud.ok(['flavor', 'create', '--ram', '128', '--vcpus', '1', '--disk', String(flavor.rootGb), flavor.name]);
    await cloud.ok(['server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', 'vm']);
    await cloud.waitForStatus('vm', 'ACTIVE');
    await bootsItsOwnDisk();
    await cloud.inGuest('vm', 'echo written-at-launch > /disk/marker; sync');
  });
  after(async () => {
    await cloud.stop(['vm']);
  });

  test('rescue boots the rescue disk with the guest disk second; unrescue boots the guest disk again', async (t) => {
    const started = Date.now();
    await cloud.ok(['server', 'rescue', 'vm']);
    await cloud.waitForStatus('vm', 'RESCUE');
    const rescued = Date.now();
    const rescue = await cloud.nextBoot('vm');
    t.diagnostic(`rescue → RESCUE ${rescued - started} ms (server side ${await newestActionMs()} ms), → rescue ready line ${Date.now() - started} ms`);
    assert.equal(rescue.boot, 1, 'the rescue disk counts its own boots');
    assert.match(rescue.line, /disks=vda,vdb /);
    assert.equal(
      await cloud.inGuest('vm', 'mount -t vfat /dev/vdb1 /mnt && cat /mnt/marker /mnt/nimbus-boot-count; umount /mnt'),
      `written-at-launch\n${bootCount}`,
    );
    await cloud.ok(['server', 'unrescue', 'vm']);
    await cloud.waitForStatus('vm', 'ACTIVE');
    await bootsItsOwnDisk();
    assert.equal(await cloud.inGuest('vm', 'ls /sys/block | grep ^vd; cat /disk/marker'), 'vda\nwritten-at-launch');
  });

  test('resize --wait to a larger disk: VERIFY_RESIZE on the other host, the guest sees the disk grown; confirm frees the old host', async (t) => {
    const source = await hostNow();
    const usageBefore = await cloud.hypervisorUsage();
    const started = Date.now();
    await cloud.ok(['server', 'resize', '--flavor', 'moves.2g', '--wait', 'vm']);
    const resized = await cloud.waitForStatus('vm', 'VERIFY_RESIZE');
    t.diagnostic(`resize --wait → VERIFY_RESIZE ${Date.now() - started} ms (server side ${await newestActionMs()} ms)`);
    const dest = String(resized['OS-EXT-SRV-ATTR:host']);
    assert.notEqual(dest, source);
    await bootsItsOwnDisk();
    assert.equal(await cloud.inGuest('vm', 'cat /sys/block/vda/size /disk/marker'), `${sectors(2)}\nwritten-at-launch`);

    await cloud.ok(['server', 'resize', 'confirm', 'vm']);
    const confirmed = await cloud.waitForStatus('vm', 'ACTIVE');
    assert.match(String(confirmed['flavor']), /^moves\.2g /);
    await usageBecomes(
      // The hosts swap usage, the guest's disk 1 GB larger: m1.tiny → moves.2g.
      { [source]: usageOf(usageBefore, dest), [dest]: { ...usageOf(usageBefore, source), localGb: usageOf(usageBefore, source).localGb + 1 } },
      'after confirm only the new host holds the guest, with the new flavor',
    );
    await onlyFilesOn(dest);
  });

  test('a second resize reverted: back on the old flavor and host, booting its own disk, usage as before', async (t) => {
    const home = await hostNow();
    const usageBefore = await cloud.hypervisorUsage();
    const started = Date.now();
    await cloud.ok(['server', 'resize', '--flavor', 'moves.3g', '--wait', 'vm']);
    const resized = await cloud.waitForStatus('vm', 'VERIFY_RESIZE');
    t.diagnostic(`resize --wait → VERIFY_RESIZE ${Date.now() - started} ms (server side ${await newestActionMs()} ms)`);
    assert.notEqual(resized['OS-EXT-SRV-ATTR:host'], home);
    await bootsItsOwnDisk();
    assert.equal(await cloud.inGuest('vm', 'cat /sys/block/vda/size'), sectors(3));
    await cloud.inGuest('vm', 'echo written-while-resized > /disk/marker; sync');

    const reverting = Date.now();
    await cloud.ok(['server', 'resize', 'revert', 'vm']);
    const reverted = await cloud.waitForStatus('vm', 'ACTIVE');
    t.diagnostic(`resize revert → ACTIVE ${Date.now() - reverting} ms (server side ${await newestActionMs()} ms)`);
    assert.equal(reverted['OS-EXT-SRV-ATTR:host'], home);
    assert.match(String(reverted['flavor']), /^moves\.2g /);
    // Revert boots the disk the old host kept: what the resized guest wrote, its boot included, is gone.
    bootCount -= 1;
    await bootsItsOwnDisk();
    assert.equal(await cloud.inGuest('vm', 'cat /sys/block/vda/size /disk/marker'), `${sectors(2)}\nwritten-at-launch`);
    await usageBecomes(usageBefore, 'after revert the usage is what it was before the resize');
    await onlyFilesOn(home);
  });

  test('migrate --wait + confirm: the guest boots on the other host from its own disk, same flavor', async (t) => {
    const source = await hostNow();
    const usageBefore = await cloud.hypervisorUsage();
    await cloud.inGuest('vm', 'echo written-before-migrate > /disk/marker; sync');
    const started = Date.now();
    await cloud.ok(['server', 'migrate', '--wait', 'vm']);
    const migrated = await cloud.waitForStatus('vm', 'VERIFY_RESIZE');
    t.diagnostic(`migrate --wait → VERIFY_RESIZE ${Date.now() - started} ms (server side ${await newestActionMs()} ms)`);
    const dest = String(migrated['OS-EXT-SRV-ATTR:host']);
    assert.notEqual(dest, source);
    await bootsItsOwnDisk();
    assert.equal(await cloud.inGuest('vm', 'cat /disk/marker'), 'written-before-migrate');

    await cloud.ok(['server', 'migrate', 'confirm', 'vm']);
    const confirmed = await cloud.waitForStatus('vm', 'ACTIVE');
    assert.equal(confirmed['OS-EXT-SRV-ATTR:host'], dest);
    assert.match(String(confirmed['flavor']), /^moves\.2g /);
    await usageBecomes({ [source]: usageOf(usageBefore, dest), [dest]: usageOf(usageBefore, source) }, 'after confirm the usage moved to the new host');
    await onlyFilesOn(dest);
  });
});
