import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { NetworkSpec, PortSpec } from '../datapath-spec.js';
import { bridgeName, tapName, vxlanDevice } from '../device-names.js';
import { networkFixture, portFixture } from '../testing/datapath-fixtures.js';
import { ip, run, tryRun } from './exec.js';
import { linuxBridgeSkip } from './testing/linux-harness.js';
import { namespacedDatapath, type NamespacedDatapath } from './testing/namespaced-datapath.js';

// Two "hosts" are two network namespaces joined by a veth pair (the underlay, 10.203.x
// addresses the test gives them); each runs its own Linux bridge data path with that address as
// its tunnel endpoint. Guests are namespaces on each host's tap. Nothing touches the machine's
// own interfaces, and every namespace goes at the end, whatever happens.

const skip = await linuxBridgeSkip();

interface Host {
  readonly namespace: string;
  readonly tunnelIp: string;
  readonly datapath: NamespacedDatapath;
}

interface Guest {
  readonly namespace: string;
  readonly address: string;
}

const ping = (from: Guest, to: Guest): Promise<boolean> => tryRun('busybox', ['ping', '-c', '1', '-W', '2', to.address], { namespace: from.namespace });

async function reaches(from: Guest, to: Guest): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt += 1) if (await ping(from, to)) return true;
  return false;
}

/** A guest namespace whose eth0 is the far end of a veth whose near end, named as the port's tap, is in the host's namespace. */
async function addGuest(host: Host, port: PortSpec, mtu: number, namespaces: string[]): Promise<Guest> {
  const namespace = `nbg-${randomBytes(5).toString('hex')}`;
  await ip('netns', 'add', namespace);
  namespaces.push(namespace);
  const tap = tapName(port.id);
  await ip('-n', host.namespace, 'link', 'add', tap, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', String(mtu), 'address', port.mac_address, 'netns', namespace);
  await ip('-n', host.namespace, 'link', 'set', 'dev', tap, 'up');
  await ip('-n', namespace, 'link', 'set', 'dev', 'lo', 'up');
  await ip('-n', namespace, 'addr', 'add', `${port.fixed_ips[0]?.ip_address ?? ''}/24`, 'dev', 'eth0');
  await ip('-n', namespace, 'link', 'set', 'dev', 'eth0', 'up');
  return { namespace, address: port.fixed_ips[0]?.ip_address ?? '' };
}

describe('Linux bridge data path: VXLAN between hosts', { skip }, () => {
  test('guests on two hosts reach each other over the tunnel while each host floods to the other, and the tunnel goes with the last port', async () => {
    const tag = randomBytes(3).toString('hex');
    const namespaces: string[] = [];
    const hosts: Host[] = [];
    const stateDir = await mkdtemp(join(tmpdir(), 'nimbus-vxlan-'));
    // dnsmasq reads its files after dropping to nobody.
    await chmod(stateDir, 0o755);
    try {
      const underlay = `10.203.${randomInt(1, 250)}`;
      const [a, b] = [`nbh-${tag}a`, `nbh-${tag}b`].map((namespace, index) => ({ namespace, tunnelIp: `${underlay}.${index + 1}` })) as [Omit<Host, 'datapath'>, Omit<Host, 'datapath'>];
      for (const side of [a, b]) {
        await ip('netns', 'add', side.namespace);
        namespaces.push(side.namespace);
      }
      // The underlay: one veth between the hosts, with room for the 50 bytes VXLAN adds.
      await ip('-n', a.namespace, 'link', 'add', 'underlay', 'type', 'veth', 'peer', 'name', 'underlay', 'netns', b.namespace);
      for (const side of [a, b]) {
        await ip('-n', side.namespace, 'addr', 'add', `${side.tunnelIp}/24`, 'dev', 'underlay');
        await ip('-n', side.namespace, 'link', 'set', 'dev', 'underlay', 'up');
        await ip('-n', side.namespace, 'link', 'set', 'dev', 'lo', 'up');
        hosts.push({ ...side, datapath: namespacedDatapath(side.namespace, { stateDir: join(stateDir, side.namespace), localIp: side.tunnelIp }) });
      }
      const [hostA, hostB] = hosts as [Host, Host];

      const vni = randomInt(1000, 16_000_000);
      const fixture = networkFixture('10.204.7', { mtu: 1450 });
      const network: NetworkSpec = { ...fixture.spec, network_type: 'vxlan', segmentation_id: vni };
      // DHCP runs on host A only: a second qdhcp namespace of the same network would clash in this one machine's /run/netns.
      const specOf = (host: Host): NetworkSpec => (host === hostA ? network : { ...network, dhcp_port: null });
      const ports = [portFixture(fixture, 10, { port_security_enabled: false }), portFixture(fixture, 11, { port_security_enabled: false })] as [PortSpec, PortSpec];
      const guests: Guest[] = [];
      for (const [host, port, peer] of [
        [hostA, ports[0], hostB],
        [hostB, ports[1], hostA],
      ] as const) {
        guests.push(await addGuest(host, port, network.mtu, namespaces));
        await host.datapath.ensureNetwork(specOf(host));
        await host.datapath.setTunnelPeers(network.id, [peer.tunnelIp]);
        await host.datapath.plugPort(port);
      }
      const [guestA, guestB] = guests as [Guest, Guest];

      const device = vxlanDevice(vni);
      const details = await ip('-n', hostA.namespace, '-d', 'link', 'show', 'dev', device);
      assert.match(details, new RegExp(`master ${bridgeName(network.id)} `), 'the VXLAN device is on the network bridge');
      assert.match(details, new RegExp(`vxlan id ${vni} local ${hostA.tunnelIp.replaceAll('.', '\\.')} .*dstport 4789`), 'the VXLAN device has the VNI, the tunnel endpoint and the IANA port');
      assert.match(details, / mtu 1450 /, 'the VXLAN device has the network MTU');
      assert.match(details, / nolearning /, 'the VXLAN device sends only where the server says');
      assert.match(await run('bridge', ['fdb', 'show', 'dev', device], { namespace: hostA.namespace }), new RegExp(`00:00:00:00:00:00 dst ${hostB.tunnelIp.replaceAll('.', '\\.')} `), 'host A floods to host B');

      assert.ok(await reaches(guestA, guestB), 'the guest on host A reaches the guest on host B');
      assert.ok(await reaches(guestB, guestA), 'the guest on host B reaches the guest on host A');
      const dhcpPort: Guest = { namespace: '', address: `${fixture.prefix}.2` };
      assert.ok(await reaches(guestA, dhcpPort), "the guest on host A reaches its host's DHCP port");
      assert.equal(await ping(guestB, dhcpPort), false, "host A's copy of the DHCP port stays off the tunnel (each host serves its own guests)");

      await hostA.datapath.setTunnelPeers(network.id, []);
      assert.doesNotMatch(await run('bridge', ['fdb', 'show', 'dev', device], { namespace: hostA.namespace }), / dst /, 'host A holds no entry towards host B');
      assert.equal(await ping(guestA, guestB), false, 'without its peer, host A sends nothing to host B');
      assert.equal(await ping(guestB, guestA), false, "host A's answers do not reach host B either");

      await hostA.datapath.setTunnelPeers(network.id, [hostB.tunnelIp]);
      assert.ok(await reaches(guestA, guestB), 'the peer back, the guests reach each other again');

      await hostA.datapath.unplugPort(ports[0].id);
      await hostA.datapath.deleteNetwork(network.id);
      assert.equal(await tryRun('ip', ['-n', hostA.namespace, 'link', 'show', 'dev', device]), false, 'the VXLAN device goes with the network');
      assert.equal(await tryRun('ip', ['-n', hostA.namespace, 'link', 'show', 'dev', bridgeName(network.id)]), false, 'and so does the bridge');
    } finally {
      for (const host of hosts) await host.datapath.dispose();
      for (const namespace of namespaces.reverse()) await tryRun('ip', ['netns', 'delete', namespace]);
      await rm(stateDir, { recursive: true, force: true });
    }
    const left = await run('ip', ['netns', 'list']);
    assert.doesNotMatch(left, new RegExp(`nbh-${tag}`), 'no host namespace is left');
  });
});
