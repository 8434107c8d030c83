import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, test } from 'node:test';
import type { NetworkSpec, PortSpec, RemotePortSpec } from '../datapath-spec.js';
import { bridgeName, vxlanDevice } from '../device-names.js';
import { networkFixture, portFixture } from '../testing/datapath-fixtures.js';
import { run, tryRun } from './exec.js';
import { linuxBridgeSkip } from './testing/linux-harness.js';
import { ping, reaches, twoHosts, WIRE, type TestGuest, type TestHost, type TwoHosts } from './testing/namespace-hosts.js';

// Two "hosts" are two network namespaces joined by a veth pair (the underlay, 10.203.x
// addresses the harness gives them); each runs its own Linux bridge data path with that address
// as its tunnel endpoint. Guests are namespaces on each host's tap. Nothing touches the
// machine's own interfaces, and every namespace goes at the end, whatever happens.

const skip = await linuxBridgeSkip();

/** A VXLAN network (MTU 1450, room for the 50 bytes VXLAN adds) wired on both hosts with a port each; DHCP runs on host A only (a second qdhcp namespace of the network would clash in this one machine's /run/netns). */
async function vxlanNetwork(pair: TwoHosts, peersOf: (host: TestHost, peer: TestHost) => readonly string[]) {
  const [hostA, hostB] = pair.hosts;
  const vni = randomInt(1000, 16_000_000);
  const fixture = networkFixture(`10.204.${randomInt(1, 250)}`, { mtu: 1450 });
  const network: NetworkSpec = { ...fixture.spec, network_type: 'vxlan', segmentation_id: vni };
  const ports = [portFixture(fixture, 10, { port_security_enabled: false }), portFixture(fixture, 11, { port_security_enabled: false })] as [PortSpec, PortSpec];
  const guests: TestGuest[] = [];
  for (const [host, port, peer] of [
    [hostA, ports[0], hostB],
    [hostB, ports[1], hostA],
  ] as const) {
    guests.push(await pair.addGuest(host, port, network.mtu));
    await host.datapath.ensureNetwork(host === hostA ? network : { ...network, dhcp_port: null });
    await host.datapath.setTunnelPeers(network.id, peersOf(host, peer));
    await host.datapath.plugPort(port);
  }
  return { network, fixture, ports, device: vxlanDevice(vni), guests: guests as [TestGuest, TestGuest] };
}

/** Where `host` sends a port bound on `at` (l2population's unicast and responder entry). */
const remote = (port: PortSpec, at: TestHost): RemotePortSpec => ({ mac_address: port.mac_address, ip_addresses: port.fixed_ips.map((fixed) => fixed.ip_address), tunnel_ip: at.wireIp });

const escaped = (text: string): string => text.replaceAll('.', '\\.');

describe('Linux bridge data path: VXLAN between hosts', { skip }, () => {
  test('guests on two hosts reach each other over the tunnel while each host floods to the other, and the tunnel goes with the last port', async () => {
    const hosts = await twoHosts((wireIp) => ({ localIp: wireIp }));
    try {
      const [hostA, hostB] = hosts.hosts;
      const { network, fixture, ports, device, guests } = await vxlanNetwork(hosts, (_, peer) => [peer.wireIp]);
      const [guestA, guestB] = guests;

      const details = await hosts.inHost(hostA, 'ip', ['-d', 'link', 'show', 'dev', device]);
      assert.match(details, new RegExp(`master ${bridgeName(network.id)} `), 'the VXLAN device is on the network bridge');
      assert.match(details, new RegExp(`vxlan id ${network.segmentation_id} local ${escaped(hostA.wireIp)} .*dstport 4789`), 'the VXLAN device has the VNI, the tunnel endpoint and the IANA port');
      assert.match(details, / mtu 1450 /, 'the VXLAN device has the network MTU');
      assert.match(details, / nolearning /, 'the VXLAN device sends only where the server says');
      assert.doesNotMatch(details, / proxy /, 'no ARP responder unless asked for');
      assert.match(await hosts.inHost(hostA, 'bridge', ['fdb', 'show', 'dev', device]), new RegExp(`00:00:00:00:00:00 dst ${escaped(hostB.wireIp)} `), 'host A floods to host B');

      assert.ok(await reaches(guestA, guestB), 'the guest on host A reaches the guest on host B');
      assert.ok(await reaches(guestB, guestA), 'the guest on host B reaches the guest on host A');
      const dhcpPort = `${fixture.prefix}.2`;
      assert.ok(await reaches(guestA, dhcpPort), "the guest on host A reaches its host's DHCP port");
      assert.equal(await ping(guestB, dhcpPort), false, "host A's copy of the DHCP port stays off the tunnel (each host serves its own guests)");

      await hostA.datapath.setTunnelPeers(network.id, []);
      assert.doesNotMatch(await hosts.inHost(hostA, 'bridge', ['fdb', 'show', 'dev', device]), / dst /, 'host A holds no entry towards host B');
      assert.equal(await ping(guestA, guestB), false, 'without its peer, host A sends nothing to host B');
      assert.equal(await ping(guestB, guestA), false, "host A's answers do not reach host B either");

      await hostA.datapath.setTunnelPeers(network.id, [hostB.wireIp]);
      assert.ok(await reaches(guestA, guestB), 'the peer back, the guests reach each other again');

      await hostA.datapath.unplugPort(ports[0].id);
      await hostA.datapath.deleteNetwork(network.id);
      assert.equal(await tryRun('ip', ['-n', hostA.namespace, 'link', 'show', 'dev', device]), false, 'the VXLAN device goes with the network');
      assert.equal(await tryRun('ip', ['-n', hostA.namespace, 'link', 'show', 'dev', bridgeName(network.id)]), false, 'and so does the bridge');
    } finally {
      await hosts.dispose();
    }
    assert.doesNotMatch(await run('ip', ['netns', 'list']), new RegExp(hosts.hosts[0].namespace), 'no host namespace is left');
  });

  test('l2population: a unicast entry and an ARP responder entry per remote port; unicast goes to its host alone, ARP is answered locally, and the entries follow the port', async () => {
    const hosts = await twoHosts((wireIp) => ({ localIp: wireIp, arpResponder: true }));
    try {
      const [hostA, hostB] = hosts.hosts;
      // Host A also floods to an endpoint on the wire that nobody holds: anything flooded makes host A ask the wire for it.
      const absent = `${hosts.wirePrefix}.99`;
      const { network, ports, device, guests } = await vxlanNetwork(hosts, (host, peer) => (host === hostA ? [peer.wireIp, absent] : [peer.wireIp]));
      const [guestA, guestB] = guests;
      const details = await hosts.inHost(hostA, 'ip', ['-d', 'link', 'show', 'dev', device]);
      assert.match(details, / proxy /, 'the VXLAN device answers ARP from its neighbour entries');

      // Without entries for the remote port, the responder answers nothing and ARP does not cross.
      assert.equal(await ping(guestA, guestB), false, 'no entry for the guest on host B: its address is not answered');

      await hostA.datapath.setTunnelPeers(network.id, [hostB.wireIp, absent], [remote(ports[1], hostB)]);
      await hostB.datapath.setTunnelPeers(network.id, [hostA.wireIp], [remote(ports[0], hostA)]);
      const fdb = await hosts.inHost(hostA, 'bridge', ['fdb', 'show', 'dev', device]);
      assert.match(fdb, new RegExp(`${ports[1].mac_address} dst ${escaped(hostB.wireIp)} `), 'host A sends the MAC of the guest on host B to host B');
      const neighbours = await hosts.inHost(hostA, 'ip', ['neigh', 'show', 'dev', device]);
      assert.match(neighbours, new RegExp(`${escaped(guestB.address)} lladdr ${ports[1].mac_address} PERMANENT`), 'host A answers for the address of the guest on host B');

      await hosts.inHost(hostA, 'ip', ['neigh', 'flush', 'dev', WIRE]);
      assert.ok(await reaches(guestA, guestB), 'the guest on host A reaches the guest on host B');
      assert.ok(await reaches(guestB, guestA), 'and back');
      assert.doesNotMatch(await hosts.inHost(hostA, 'ip', ['neigh', 'show', 'dev', WIRE]), new RegExp(`^${escaped(absent)} `, 'm'), 'nothing was flooded: ARP answered on host A, unicast sent to host B alone');

      // The port moves to host A's side of the picture (a live migration elsewhere): the entry follows, the old one goes.
      const moved: RemotePortSpec = { ...remote(ports[1], hostB), tunnel_ip: absent };
      await hostA.datapath.setTunnelPeers(network.id, [hostB.wireIp, absent], [moved]);
      const after = await hosts.inHost(hostA, 'bridge', ['fdb', 'show', 'dev', device]);
      assert.match(after, new RegExp(`${ports[1].mac_address} dst ${escaped(absent)} `), 'the MAC now goes to the host the port moved to');
      assert.doesNotMatch(after, new RegExp(`${ports[1].mac_address} dst ${escaped(hostB.wireIp)} `), 'and no longer to host B');

      await hostA.datapath.setTunnelPeers(network.id, [hostB.wireIp], []);
      assert.doesNotMatch(await hosts.inHost(hostA, 'bridge', ['fdb', 'show', 'dev', device]), new RegExp(`${ports[1].mac_address} dst `), 'the port gone, its unicast entry goes (the bridge may still remember where it last heard it)');
      assert.doesNotMatch(await hosts.inHost(hostA, 'ip', ['neigh', 'show', 'dev', device]), new RegExp(escaped(guestB.address)), 'and so does its responder entry');
      await run('ip', ['neigh', 'flush', 'dev', 'eth0'], { namespace: guestA.namespace });
      assert.equal(await ping(guestA, guestB), false, 'an address the server no longer names is not answered (once the guest has forgotten it)');

      // The same entries as changes (add_fdb_entries, remove_fdb_entries), as the server sends them when one port arrives, moves or goes.
      const fdbOfA = () => hosts.inHost(hostA, 'bridge', ['fdb', 'show', 'dev', device]);
      const neighboursOfA = () => hosts.inHost(hostA, 'ip', ['neigh', 'show', 'dev', device]);
      await hostA.datapath.addTunnelEntries(network.id, [absent], [remote(ports[1], hostB)]);
      assert.match(await fdbOfA(), new RegExp(`${ports[1].mac_address} dst ${escaped(hostB.wireIp)} `), 'an added port: its MAC goes to its host');
      assert.match(await fdbOfA(), new RegExp(`00:00:00:00:00:00 dst ${escaped(absent)} `), 'and a joining host is flooded to');
      assert.match(await fdbOfA(), new RegExp(`00:00:00:00:00:00 dst ${escaped(hostB.wireIp)} `), 'beside the peer already there');
      assert.match(await neighboursOfA(), new RegExp(`${escaped(guestB.address)} lladdr ${ports[1].mac_address} PERMANENT`), 'its address is answered');
      assert.ok(await reaches(guestA, guestB), 'the guest on host B is reached again');

      await hostA.datapath.addTunnelEntries(network.id, [], [moved]);
      assert.match(await fdbOfA(), new RegExp(`${ports[1].mac_address} dst ${escaped(absent)} `), 'a port added on another host: its MAC moves there');
      assert.doesNotMatch(await fdbOfA(), new RegExp(`${ports[1].mac_address} dst ${escaped(hostB.wireIp)} `), 'and leaves its old host');
      await hostA.datapath.removeTunnelEntries(network.id, [absent], [remote(ports[1], hostB)]);
      assert.match(await fdbOfA(), new RegExp(`${ports[1].mac_address} dst ${escaped(absent)} `), 'removing the port from its old host (late) leaves the entry where it moved');
      assert.doesNotMatch(await fdbOfA(), new RegExp(`00:00:00:00:00:00 dst ${escaped(absent)} `), 'a host that left is flooded to no more');
      await hostA.datapath.removeTunnelEntries(network.id, [], [moved]);
      assert.doesNotMatch(await fdbOfA(), new RegExp(`${ports[1].mac_address} dst `), 'a port removed where it is: its unicast entry goes');
      assert.doesNotMatch(await neighboursOfA(), new RegExp(escaped(guestB.address)), 'and its responder entry');
      assert.match(await fdbOfA(), new RegExp(`00:00:00:00:00:00 dst ${escaped(hostB.wireIp)} `), 'the other peer stays');
    } finally {
      await hosts.dispose();
    }
  });

  test("l2population: a fixed IP change on another host (update_fdb_entries' chg_ip) moves the ARP responder entries of its port and leaves its unicast entry; a MAC not yet sent gets both", async () => {
    const hosts = await twoHosts((wireIp) => ({ localIp: wireIp, arpResponder: true }), 'nbh5-');
    try {
      const [hostA, hostB] = hosts.hosts;
      const vni = randomInt(1000, 16_000_000);
      const fixture = networkFixture(`10.204.${randomInt(1, 250)}`, { mtu: 1450 });
      const network: NetworkSpec = { ...fixture.spec, network_type: 'vxlan', segmentation_id: vni, dhcp_port: null };
      const device = vxlanDevice(vni);
      const [mac, other] = ['fa:16:3e:00:05:01', 'fa:16:3e:00:05:02'];
      const address = (host: number) => `${fixture.prefix}.${host}`;
      await hostA.datapath.ensureNetwork(network);
      await hostA.datapath.setTunnelPeers(network.id, [hostB.wireIp], [{ mac_address: mac, ip_addresses: [address(40)], tunnel_ip: hostB.wireIp }]);
      const fdbOfA = () => hosts.inHost(hostA, 'bridge', ['fdb', 'show', 'dev', device]);
      const neighboursOfA = () => hosts.inHost(hostA, 'ip', ['neigh', 'show', 'dev', device]);
      const answered = (ip: string, lladdr: string) => new RegExp(`^${escaped(ip)} lladdr ${lladdr} PERMANENT`, 'm');
      assert.match(await neighboursOfA(), answered(address(40), mac));

      await hostA.datapath.changeTunnelAddresses(network.id, { tunnel_ip: hostB.wireIp, before: [[mac, address(40)]], after: [[mac, address(41)], [mac, address(42)]] });
      const neighbours = await neighboursOfA();
      assert.match(neighbours, answered(address(41), mac), 'the new addresses are answered with the MAC of the port');
      assert.match(neighbours, answered(address(42), mac));
      assert.doesNotMatch(neighbours, new RegExp(`^${escaped(address(40))} `, 'm'), 'the address that went is answered no more');
      assert.match(await fdbOfA(), new RegExp(`${mac} dst ${escaped(hostB.wireIp)} `), 'its unicast entry stays');

      await hostA.datapath.changeTunnelAddresses(network.id, { tunnel_ip: hostB.wireIp, before: [[mac, address(41)]], after: [[other, address(50)]] });
      assert.match(await fdbOfA(), new RegExp(`${other} dst ${escaped(hostB.wireIp)} `), 'a MAC not sent yet goes to the endpoint named');
      assert.match(await neighboursOfA(), answered(address(50), other));
      assert.doesNotMatch(await neighboursOfA(), new RegExp(`^${escaped(address(41))} `, 'm'));
      assert.match(await neighboursOfA(), answered(address(42), mac), 'an address not named is left');

      await hostA.datapath.deleteNetwork(network.id);
    } finally {
      await hosts.dispose();
    }
    assert.doesNotMatch(await run('ip', ['netns', 'list']), new RegExp(hosts.hosts[0].namespace), 'no host namespace is left');
  });
});
