import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { describeDatapathContract } from '../datapath.contract.js';
import { bridgeName, dhcpNamespace, tapName } from '../device-names.js';
import { defaultGroupFixture, networkFixture, portFixture } from '../testing/datapath-fixtures.js';
import { bridgePorts, deleteLink, linkExists } from './links.js';
import { LinuxBridgeDatapath } from './linux-bridge-datapath.js';
import { linuxBridgeSkip, linuxHarness, metadataSocketIn } from './testing/linux-harness.js';

// The shared behaviour; traffic through real bridges, namespaces, dnsmasq and nftables is in
// linux-bridge-traffic.test.ts.
const skip = await linuxBridgeSkip();
describeDatapathContract('linux-bridge', linuxHarness, { unavailable: skip });

describe('Linux bridge data path: failures', { skip }, () => {
  test('a network the kernel refuses to wire leaves no bridge, namespace or DHCP server behind', async () => {
    const harness = await linuxHarness();
    try {
      const network = networkFixture('10.204.2');
      // A multicast MAC: the kernel will not give it to the DHCP port's veth.
      const refused = { ...network.spec, dhcp_port: { ...network.spec.dhcp_port!, mac_address: '01:00:5e:00:00:01' } };
      await assert.rejects(harness.datapath.ensureNetwork(refused));
      const inventory = await harness.datapath.inventory();
      assert.ok(!inventory.bridges.includes(bridgeName(network.spec.id)));
      assert.ok(!inventory.namespaces.includes(dhcpNamespace(network.spec.id)));
      assert.deepEqual(inventory.dhcpNetworks, []);
    } finally {
      await harness.dispose();
    }
  });
});

/** Opens the tap as QEMU does (TUNSETIFF, IFF_TAP | IFF_NO_PI) and keeps it open until stdin closes. */
const HOLD_TAP = `import fcntl, os, struct, sys
fd = os.open('/dev/net/tun', os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', sys.argv[1].encode(), 0x1002))
print('held', flush=True)
sys.stdin.read()`;

describe('Linux bridge data path: a port that moved away', { skip }, () => {
  test('its tap, still held by a running guest, only leaves the bridge: it is not deleted under the guest', async () => {
    const harness = await linuxHarness();
    const network = networkFixture('10.204.3');
    const port = portFixture(network, 10);
    const tap = tapName(port.id);
    const holder = spawn('python3', ['-c', HOLD_TAP, tap], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await harness.datapath.ensureNetwork(network.spec);
      // The agent is first, so the tap is its own making; then the "guest" opens it.
      await harness.datapath.plugPort(port);
      await once(holder.stdout, 'data');
      await harness.datapath.unplugPort(port.id);
      assert.ok(await linkExists(tap), 'the held tap is still there');
      assert.ok(!(await bridgePorts(bridgeName(network.spec.id))).includes(tap), 'and off the bridge');
    } finally {
      holder.stdin.end();
      if (holder.exitCode === null) await once(holder, 'exit');
      await deleteLink(tap);
      await harness.dispose();
    }
  });
});

describe('Linux bridge data path: restart', { skip }, () => {
  test('a restarted agent takes over the tables, the running dnsmasq and the metadata proxy of the one before', async () => {
    const harness = await linuxHarness();
    const restarted = new LinuxBridgeDatapath({ stateDir: harness.stateDir, nftTable: harness.table, metadataProxySocket: metadataSocketIn(harness.stateDir) });
    try {
      const network = networkFixture('10.204.1');
      const group = defaultGroupFixture();
      await harness.datapath.ensureNetwork(network.spec);
      await harness.datapath.syncSecurityGroup(group);
      await harness.datapath.plugPort(portFixture(network, 10, { security_groups: [group.id] }));
      const pidFile = join(harness.stateDir, 'dhcp', network.spec.id, 'pid');
      const pid = await readFile(pidFile, 'utf8');
      const proxyPidFile = join(harness.stateDir, 'metadata-proxy', network.spec.id, 'pid');
      const proxyPid = await readFile(proxyPidFile, 'utf8');

      // The resync after a restart: the same network and group, and a port that gets the first port's mark index.
      const port = portFixture(network, 11, { security_groups: [group.id] });
      await restarted.ensureNetwork(network.spec);
      await restarted.syncSecurityGroup(group);
      await restarted.plugPort(port);
      const inventory = await restarted.inventory();
      assert.deepEqual(inventory.securedPorts, [port.id]);
      assert.deepEqual(inventory.dhcpNetworks, [network.spec.id]);
      assert.equal(await readFile(pidFile, 'utf8'), pid, 'dnsmasq kept running (told of the new port by SIGHUP)');
      assert.deepEqual(inventory.metadataNetworks, [network.spec.id]);
      assert.equal(await readFile(proxyPidFile, 'utf8'), proxyPid, 'the metadata proxy kept running');
      assert.match(await readFile(join(harness.stateDir, 'dhcp', network.spec.id, 'host'), 'utf8'), new RegExp(port.mac_address));
    } finally {
      await restarted.teardown();
      await harness.dispose();
    }
  });
});
