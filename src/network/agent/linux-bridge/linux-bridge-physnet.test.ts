import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { describe, test } from 'node:test';
import type { NetworkSpec, PortSpec } from '../datapath-spec.js';
import { bridgeName, tapName, vlanDevice } from '../device-names.js';
import { networkFixture, portFixture } from '../testing/datapath-fixtures.js';
import { findExecutable } from '../../../common/process/find-executable.js';
import { ip, tryRun } from './exec.js';
import { linuxBridgeSkip } from './testing/linux-harness.js';
import { ping, reaches, twoHosts, WIRE, type TwoHosts } from './testing/namespace-hosts.js';

// Provider networks on a physical interface: two "hosts" (network namespaces) joined by a veth
// pair that plays the physical wire, each mapping physnet1 to its end of it
// (`physical_interface_mappings = physnet1:wire`). The "physical" interface is a veth the
// harness made inside its own namespaces; nothing touches the machine's interfaces.

const skip = await linuxBridgeSkip();

/** Whether this kernel makes 802.1q subinterfaces (CONFIG_VLAN_8021Q), tried in a namespace of its own. */
async function vlanSkip(): Promise<string | false> {
  if (skip !== false) return skip;
  const namespace = `nbv-${randomBytes(4).toString('hex')}`;
  try {
    await ip('netns', 'add', namespace);
    await ip('-n', namespace, 'link', 'add', 'probe', 'type', 'veth', 'peer', 'name', 'probe-peer');
    if (!(await tryRun('ip', ['-n', namespace, 'link', 'add', 'link', 'probe', 'name', 'probe.7', 'type', 'vlan', 'id', '7']))) return 'this kernel has no 802.1q VLAN support (CONFIG_VLAN_8021Q)';
    if (findExecutable('tcpdump') === undefined) return 'tcpdump is not installed (it shows the tags on the wire)';
    return false;
  } finally {
    await tryRun('ip', ['netns', 'delete', namespace]);
  }
}

const vlanSkipped = await vlanSkip();

const MAPPINGS = { physicalInterfaceMappings: { physnet1: WIRE } };
/** The host's own bridge that `bridge_mappings = physnet1:br-phys` names. */
const MAPPED_BRIDGE = 'br-phys';

/** The network on both hosts with a guest each (DHCP on host A only: one machine's /run/netns holds one qdhcp namespace per network). */
async function providerNetwork(hosts: TwoHosts, segment: Pick<NetworkSpec, 'network_type' | 'segmentation_id'>) {
  const fixture = networkFixture(`10.205.${randomInt(1, 250)}`);
  const network: NetworkSpec = { ...fixture.spec, ...segment, physical_network: 'physnet1' };
  const ports = [portFixture(fixture, 10, { port_security_enabled: false }), portFixture(fixture, 11, { port_security_enabled: false })] as [PortSpec, PortSpec];
  const [hostA, hostB] = hosts.hosts;
  const guestA = await hosts.addGuest(hostA, ports[0], network.mtu);
  const guestB = await hosts.addGuest(hostB, ports[1], network.mtu);
  await hostA.datapath.ensureNetwork(network);
  await hostB.datapath.ensureNetwork({ ...network, dhcp_port: null });
  await hostA.datapath.plugPort(ports[0]);
  await hostB.datapath.plugPort(ports[1]);
  return { network, fixture, ports, guestA, guestB };
}

describe('Linux bridge data path: provider networks on a physical interface', { skip }, () => {
  test('a flat network has the mapped interface on its bridge: guests on two hosts reach each other over the wire; deleting the network only releases the interface', async () => {
    const hosts = await twoHosts(() => MAPPINGS);
    try {
      const [hostA] = hosts.hosts;
      const { network, fixture, ports, guestA, guestB } = await providerNetwork(hosts, { network_type: 'flat', segmentation_id: null });
      assert.match(await hosts.inHost(hostA, 'ip', ['-d', 'link', 'show', 'dev', WIRE]), new RegExp(`master ${bridgeName(network.id)} `), 'the mapped interface is on the network bridge');
      assert.ok(await reaches(guestA, guestB), 'the guest on host A reaches the guest on host B over the wire');
      assert.ok(await reaches(guestB, guestA), 'and back');
      assert.ok(await reaches(guestA, `${fixture.prefix}.2`), "the guest on host A reaches its host's DHCP port");
      assert.equal(await ping(guestB, `${fixture.prefix}.2`), false, "host A's copy of the DHCP port stays off the wire (each host serves its own guests)");

      await hostA.datapath.unplugPort(ports[0].id);
      await hostA.datapath.deleteNetwork(network.id);
      const wire = await hosts.inHost(hostA, 'ip', ['-d', 'link', 'show', 'dev', WIRE]);
      assert.doesNotMatch(wire, / master /, 'the interface left the bridge');
      assert.match(wire, /state UP|LOWER_UP/, 'and is still there, up');
      assert.equal(await tryRun('ip', ['-n', hostA.namespace, 'link', 'show', 'dev', bridgeName(network.id)]), false, 'the bridge is gone');
    } finally {
      await hosts.dispose();
    }
  });

  test('a vlan network has an 802.1q subinterface of the mapped interface on its bridge: frames cross the wire tagged with the segmentation id; deleting the network deletes the subinterface', { skip: vlanSkipped }, async () => {
    const hosts = await twoHosts(() => MAPPINGS);
    try {
      const [hostA, hostB] = hosts.hosts;
      const vlanId = randomInt(100, 4000);
      const { network, ports, guestA, guestB } = await providerNetwork(hosts, { network_type: 'vlan', segmentation_id: vlanId });
      const subinterface = vlanDevice(WIRE, vlanId);
      const details = await hosts.inHost(hostA, 'ip', ['-d', 'link', 'show', 'dev', subinterface]);
      assert.match(details, new RegExp(`vlan protocol 802.1Q id ${vlanId} `), 'the subinterface tags with the segmentation id');
      assert.match(details, new RegExp(`master ${bridgeName(network.id)} `), 'the subinterface is on the network bridge');
      assert.doesNotMatch(await hosts.inHost(hostA, 'ip', ['-d', 'link', 'show', 'dev', WIRE]), / master /, 'the mapped interface itself is on no bridge');

      const capture = hosts.inHost(hostB, 'tcpdump', ['-e', '-n', '-c', '1', '-i', WIRE, 'vlan', String(vlanId), 'and', 'icmp']);
      assert.ok(await reaches(guestA, guestB), 'the guest on host A reaches the guest on host B over the VLAN');
      assert.match(await capture, new RegExp(`802\\.1Q \\(0x8100\\), length \\d+: vlan ${vlanId}`), 'the wire carries the frames tagged with the VLAN id');

      await hostA.datapath.unplugPort(ports[0].id);
      await hostA.datapath.deleteNetwork(network.id);
      assert.equal(await tryRun('ip', ['-n', hostA.namespace, 'link', 'show', 'dev', subinterface]), false, 'the subinterface goes with the network');
      assert.ok(await tryRun('ip', ['-n', hostA.namespace, 'link', 'show', 'dev', WIRE]), 'the mapped interface stays');
    } finally {
      await hosts.dispose();
    }
  });

  test('on a kernel without 802.1q, a vlan network fails to appear with that reason and leaves nothing', { skip: vlanSkipped === false ? 'this kernel has 802.1q' : skip }, async () => {
    const hosts = await twoHosts(() => MAPPINGS);
    try {
      const [hostA] = hosts.hosts;
      const network: NetworkSpec = { ...networkFixture('10.205.1', { dhcp: false }).spec, network_type: 'vlan', segmentation_id: 101, physical_network: 'physnet1' };
      await assert.rejects(hostA.datapath.ensureNetwork(network), /cannot make wire\.101: this kernel has no 802\.1q VLAN support/);
      assert.equal(await tryRun('ip', ['-n', hostA.namespace, 'link', 'show', 'dev', bridgeName(network.id)]), false, 'no bridge is left');
      assert.doesNotMatch(await hosts.inHost(hostA, 'ip', ['-d', 'link', 'show', 'dev', WIRE]), / master /, 'the wire is on no bridge');
    } finally {
      await hosts.dispose();
    }
  });

  test("with bridge_mappings a flat network uses the host's existing bridge (which holds the wire): guests on two hosts reach each other over it; no brq bridge is made; deleting the network leaves the bridge", async () => {
    // The operator's part: a bridge on each host holding its end of the wire.
    const hosts = await twoHosts(() => ({ bridgeMappings: { physnet1: MAPPED_BRIDGE } }));
    try {
      const [hostA, hostB] = hosts.hosts;
      for (const host of [hostA, hostB]) {
        await hosts.inHost(host, 'ip', ['link', 'add', 'name', MAPPED_BRIDGE, 'type', 'bridge']);
        await hosts.inHost(host, 'ip', ['link', 'set', 'dev', WIRE, 'master', MAPPED_BRIDGE]);
        await hosts.inHost(host, 'ip', ['link', 'set', 'dev', MAPPED_BRIDGE, 'up']);
      }
      const { network, fixture, ports, guestA, guestB } = await providerNetwork(hosts, { network_type: 'flat', segmentation_id: null });
      assert.equal(await tryRun('ip', ['-n', hostA.namespace, 'link', 'show', 'dev', bridgeName(network.id)]), false, 'no brq bridge is made');
      const members = (await hosts.inHost(hostA, 'ls', [`/sys/class/net/${MAPPED_BRIDGE}/brif`])).trim().split('\n');
      assert.ok(members.includes(tapName(ports[0].id)), "the guest's tap is on the mapped bridge");
      assert.ok(members.includes(tapName(String(network.dhcp_port?.id))), "the DHCP port's end is on the mapped bridge");
      assert.ok(await reaches(guestA, guestB), 'the guest on host A reaches the guest on host B through the mapped bridges and the wire');
      assert.ok(await reaches(guestA, `${fixture.prefix}.2`), "the guest on host A reaches its host's DHCP port");

      await hostA.datapath.unplugPort(ports[0].id);
      await hostA.datapath.deleteNetwork(network.id);
      assert.deepEqual((await hosts.inHost(hostA, 'ls', [`/sys/class/net/${MAPPED_BRIDGE}/brif`])).trim().split('\n'), [WIRE], 'the bridge stays, holding only what the operator put on it');
      // A mapped bridge that does not exist: the network fails on this host and leaves nothing.
      await hosts.inHost(hostA, 'ip', ['link', 'del', 'dev', MAPPED_BRIDGE]);
      await assert.rejects(hostA.datapath.ensureNetwork(network), new RegExp(`the bridge ${MAPPED_BRIDGE} of physical network physnet1 \\(bridge_mappings\\) does not exist`));
      assert.equal(await tryRun('ip', ['-n', hostA.namespace, 'link', 'show', 'dev', bridgeName(network.id)]), false, 'and makes no brq bridge instead');
    } finally {
      await hosts.dispose();
    }
  });

  test('a network on a physical network this host does not map stays on the host: no host interface joins its bridge', async () => {
    const hosts = await twoHosts(() => ({}));
    try {
      const [hostA] = hosts.hosts;
      const { network, guestA, guestB } = await providerNetwork(hosts, { network_type: 'flat', segmentation_id: null });
      assert.doesNotMatch(await hosts.inHost(hostA, 'ip', ['-d', 'link', 'show', 'dev', WIRE]), / master /, 'the wire is on no bridge');
      assert.deepEqual((await hosts.inHost(hostA, 'ls', [`/sys/class/net/${bridgeName(network.id)}/brif`])).trim().split('\n').filter((name) => !name.startsWith('tap')), [], 'the bridge holds only taps');
      assert.equal(await ping(guestA, guestB), false, 'guests on other hosts are out of reach');
    } finally {
      await hosts.dispose();
    }
  });
});
