import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, readlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { contractInstance } from '../driver.contract.js';
import { DriverOperationFailed } from '../errors.js';
import type { InstanceSpec, VifSpec } from '../instance-spec.js';
import { InstanceDir, exists } from './instance/instance-dir.js';
import { NETWORK_SKIP, type DhcpNetwork, dhcpNetwork, testDeviceName } from './testing/dhcp-network.js';
import { runInGuest, waitForReady } from './testing/guest-console.js';
import { QEMU_SKIP, type QemuHarness, qemuHarness } from './testing/qemu-harness.js';

// One guest with one port on a bridge of its own, a DHCP server behind the bridge (TEST-NET-1).
const BOOT = { powerOn: true, adminPassword: null, reuseDisks: false };
const PREFIX = '192.0.2';
const MTU = 1450;

const SKIP = QEMU_SKIP === false ? NETWORK_SKIP : QEMU_SKIP;
if (SKIP !== false) process.stderr.write(`*** SKIPPED: qemu guest NIC tests: ${SKIP}\n`);

/** The host side of a tap as the kernel shows it, or undefined when there is none. */
async function hostTap(devname: string): Promise<{ bridge: string; mtu: number; mac: string } | undefined> {
  const sys = `/sys/class/net/${devname}`;
  if (!(await exists(sys))) return undefined;
  const [master, mtu, mac] = await Promise.all([readlink(`${sys}/master`).catch(() => ''), readFile(`${sys}/mtu`, 'utf8'), readFile(`${sys}/address`, 'utf8')]);
  return { bridge: basename(master), mtu: Number(mtu), mac: mac.trim() };
}

describe('virtio NICs of a real guest on a Linux bridge', { skip: SKIP }, () => {
  let harness: QemuHarness;
  let network: DhcpNetwork | undefined;
  let guest: InstanceSpec;
  let vif: VifSpec;
  let dir: InstanceDir;

  before(async () => {
    harness = await qemuHarness();
    const port = '5c4e1a9b-0d2f-4c6e-9a7b-3e8f1d2c4b6a';
    vif = {
      id: port,
      networkId: '0d9f6b7e-2a14-4c1e-8b3a-6f5e4d3c2b1a',
      mac: 'fa:16:3e:00:02:0b',
      bridge: testDeviceName('br'),
      devname: testDeviceName('tp'),
      mtu: MTU,
      fixedIps: [{ address: `${PREFIX}.11`, version: 4, subnetId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d' }],
    };
    network = await dhcpNetwork({ dir: harness.root, prefix: PREFIX, mtu: MTU, hosts: [{ mac: vif.mac, address: `${PREFIX}.11` }] });
    guest = { ...contractInstance(harness), network: [vif] };
    dir = new InstanceDir(harness.driver.paths, guest.uuid);
  });
  after(async () => {
    try {
      await harness.dispose();
    } finally {
      await network?.dispose();
    }
  });

  test('the guest gets its port\'s fixed address by DHCP on eth0, with the port\'s MAC and MTU; the tap is on the bridge', async (t) => {
    const started = Date.now();
    await harness.driver.spawn(guest, BOOT);
    const spawned = Date.now();
    const ready = await waitForReady(harness.driver, guest, 1);
    const readyMs = Date.now() - started;
    assert.match(ready.line, new RegExp(` eth0=${PREFIX.replaceAll('.', '\\.')}\\.11/24 `), `${ready.line}\n${(await network?.log()) ?? ''}`);
    const [mac, mtu] = (await runInGuest(dir.consoleSocket, 'cat /sys/class/net/eth0/address /sys/class/net/eth0/mtu')).split('\n').slice(-2);
    assert.equal(mac, vif.mac);
    assert.equal(Number(mtu), MTU);
    // libvirt's host-side MAC (fe:…), so the bridge never takes the tap's address as its own.
    assert.deepEqual(await hostTap(vif.devname), { bridge: vif.bridge, mtu: MTU, mac: `fe${vif.mac.slice(2)}` });
    assert.match((await network?.log()) ?? '', new RegExp(`DHCPACK\\(\\S+\\) ${PREFIX.replaceAll('.', '\\.')}\\.11 ${vif.mac}`));
    t.diagnostic(`spawn ${spawned - started} ms, spawn to ready line with the DHCP address ${readyMs} ms (guest uptime ${ready.uptimeSeconds} s)`);
  });

  test('a port on a bridge the host lacks fails the spawn naming the bridge, and leaves no tap and no guest', async () => {
    const missing = testDeviceName('nb');
    const stray = { ...vif, id: 'e2b1c3d4-5f6a-4b7c-8d9e-0f1a2b3c4d5e', bridge: missing, devname: testDeviceName('tx') };
    const other = { ...contractInstance(harness), network: [stray] };
    await assert.rejects(harness.driver.spawn(other, BOOT), (error: unknown) => error instanceof DriverOperationFailed && error.message.includes(`bridge ${missing} `));
    assert.equal(await hostTap(stray.devname), undefined);
    assert.deepEqual(await harness.driver.listInstances(), [guest.uuid]);
  });

  test('unplugged while stopped (as after a host reboot), the guest\'s next power on plugs its tap again', async () => {
    await harness.driver.powerOff(guest, { timeoutSeconds: 0, retryIntervalSeconds: 0 });
    await harness.driver.unplugVifs(guest, [vif]);
    assert.equal(await hostTap(vif.devname), undefined);
    await harness.driver.powerOn(guest);
    assert.equal((await hostTap(vif.devname))?.bridge, vif.bridge);
    const ready = await waitForReady(harness.driver, guest, 2);
    assert.match(ready.line, / boot=2 .*eth0=192\.0\.2\.11\/24 /);
  });

  test('a cold migration unplugs the port on the source and plugs it on the destination, where the guest gets its address', async () => {
    // Both hosts share this machine's network namespace: the destination's tap has the same name.
    const migration = { id: randomUUID(), sourceHost: harness.driver.host, destHost: harness.peer.host };
    const disks = await harness.driver.migrateDiskAndPowerOff(guest, harness.peer.host, guest.flavor, { timeoutSeconds: 0, retryIntervalSeconds: 0 });
    assert.equal(await hostTap(vif.devname), undefined);
    await harness.peer.finishMigration(migration, guest, disks, { resizeInstance: false, powerOn: true });
    assert.equal((await hostTap(vif.devname))?.bridge, vif.bridge);
    assert.match((await waitForReady(harness.peer, guest, 1)).line, / eth0=192\.0\.2\.11\/24 /);
    await harness.driver.confirmMigration(migration, guest);
    assert.equal((await hostTap(vif.devname))?.bridge, vif.bridge);
  });

  test('destroy deletes the tap', async () => {
    await harness.peer.destroy(guest, { destroyDisks: true });
    assert.equal(await hostTap(vif.devname), undefined);
    assert.deepEqual(await harness.peer.listInstances(), []);
  });
});
