import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SecurityGroupSpec } from '../datapath-spec.js';
import { bridgeName, dhcpNamespace, routerNamespace, tapName } from '../device-names.js';
import { defaultGroupFixture, networkFixture, portFixture, randomMac, routerFixture, ruleFixture, type NetworkFixture } from '../testing/datapath-fixtures.js';
import { chainNames } from './security/port-chains.js';
import { ip, run } from './exec.js';
import type { LinuxBridgeDatapath } from './linux-bridge-datapath.js';
import { bridgePorts } from './links.js';
import { guestNamespace, type GuestNamespace } from './testing/guest-namespace.js';
import { linuxBridgeSkip, linuxHarness, type LinuxHarness } from './testing/linux-harness.js';

// Real bridges, taps, namespaces, dnsmasq and nftables: guests are network namespaces whose veth
// is plugged as a port. Every name is unique to the run, and everything goes even on failure.

const skip = await linuxBridgeSkip();

/** Runs a case with a fresh data path and guest list, removing both whatever happens. */
async function withDatapath(body: (harness: LinuxHarness, guests: GuestNamespace[]) => Promise<void>, options: Parameters<typeof linuxHarness>[0] = {}): Promise<void> {
  const harness = await linuxHarness(options);
  const guests: GuestNamespace[] = [];
  try {
    await body(harness, guests);
  } finally {
    for (const guest of guests) await guest.dispose();
    await harness.dispose();
  }
}

/** Guests .10 and .11 of `network`, plugged in `group` and addressed; each joins `guests` to be removed. */
async function guestPair(datapath: LinuxBridgeDatapath, guests: GuestNamespace[], network: NetworkFixture, group: SecurityGroupSpec): Promise<[GuestNamespace, GuestNamespace]> {
  await datapath.ensureNetwork(network.spec);
  await datapath.syncSecurityGroup(group);
  const pair: GuestNamespace[] = [];
  for (const host of [10, 11]) {
    const port = portFixture(network, host, { security_groups: [group.id] });
    const guest = await guestNamespace(port);
    guests.push(guest);
    pair.push(guest);
    await datapath.plugPort(port);
    await guest.setAddress(`${network.prefix}.${host}/24`);
  }
  return pair as [GuestNamespace, GuestNamespace];
}

async function dnsmasqProcessesUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.startsWith('dnsmasq') && cmdline.includes(dir)) pids.push(Number(entry));
  }
  return pids;
}

describe('Linux bridge data path: traffic', { skip }, () => {
  test('two guests get their addresses from dnsmasq and ping each other', async () => {
    await withDatapath(async ({ datapath, stateDir }, guests) => {
      const network = networkFixture('10.202.1', { dns: ['192.0.2.53'] });
      await datapath.ensureNetwork(network.spec);
      const group = defaultGroupFixture();
      await datapath.syncSecurityGroup(group);
      const ports = [portFixture(network, 10, { security_groups: [group.id] }), portFixture(network, 11, { security_groups: [group.id] })];
      for (const port of ports) {
        guests.push(await guestNamespace(port));
        await datapath.plugPort(port);
      }
      const [first, second] = guests as [GuestNamespace, GuestNamespace];
      assert.equal(await first.dhcp(), '10.202.1.10');
      assert.equal(await second.dhcp(), '10.202.1.11');
      assert.deepEqual(await first.dnsServers(), ['192.0.2.53'], "the subnet's DNS servers come with the lease");
      assert.ok(await first.reaches('10.202.1.11'), 'first guest reaches the second');
      assert.ok(await second.reaches('10.202.1.10'), 'second guest reaches the first');
      assert.match(await first.exec('ip', ['route', 'show', 'default']), /via 10\.202\.1\.1 /, 'the subnet gateway is the default route');
      const pid = await readFile(join(stateDir, 'dhcp', network.spec.id, 'pid'), 'utf8');
      await datapath.ensureNetwork({ ...network.spec, subnets: network.spec.subnets.map((subnet) => ({ ...subnet, dns_nameservers: ['192.0.2.99'] })) });
      assert.equal(await first.dhcp(), '10.202.1.10');
      assert.deepEqual(await first.dnsServers(), ['192.0.2.99'], 'changed subnet options reach the next lease');
      assert.equal(await readFile(join(stateDir, 'dhcp', network.spec.id, 'pid'), 'utf8'), pid, 'dnsmasq re-read its files without a restart');
    });
  });

  test('a second data path on the host (its own table, its ports numbered from 1 too) does not judge this one\'s traffic', async () => {
    await withDatapath(async ({ datapath }, guests) => {
      await withDatapath(async ({ datapath: closed }, closedGuests) => {
        // Plugged first, so its ports take the same numbers as ours; its group lets nothing in.
        const closedNetwork = networkFixture('10.202.10', { dhcp: false });
        await closed.ensureNetwork(closedNetwork.spec);
        const closedGroup = { id: randomUUID(), rules: [ruleFixture('egress')] };
        await closed.syncSecurityGroup(closedGroup);
        for (const host of [10, 11]) {
          const port = portFixture(closedNetwork, host, { security_groups: [closedGroup.id] });
          closedGuests.push(await guestNamespace(port));
          await closed.plugPort(port);
        }
        const network = networkFixture('10.202.11', { dhcp: false });
        const group = { id: randomUUID(), rules: [ruleFixture('egress'), ruleFixture('ingress', { protocol: 'icmp' })] };
        const [first, second] = await guestPair(datapath, guests, network, group);
        assert.ok(await first.reaches('10.202.11.11'), 'first guest reaches the second');
        assert.ok(await second.reaches('10.202.11.10'), 'second guest reaches the first');
      });
    });
  });

  test("two projects on one host with the same 10.202.20.0/24 keep their connections apart: one network's established flow lets nothing into the other's identical addresses", async () => {
    await withDatapath(async ({ datapath }, guests) => {
      // Two networks (two projects' bridges) with the same subnet and the same guest addresses.
      const [open, closed] = [networkFixture('10.202.20', { dhcp: false }), networkFixture('10.202.20', { dhcp: false })] as const;
      const openGroup = { id: randomUUID(), rules: [ruleFixture('egress'), ruleFixture('ingress', { protocol: 'udp', port_range_min: 5000, port_range_max: 5000 })] };
      const closedGroup = { id: randomUUID(), rules: [ruleFixture('egress')] };
      const [openClient, openServer] = await guestPair(datapath, guests, open, openGroup);
      const [closedClient, closedServer] = await guestPair(datapath, guests, closed, closedGroup);
      const openEcho = await openServer.echoUdp(5000);
      const closedEcho = await closedServer.echoUdp(5000);
      try {
        // 10.202.20.10:40000 -> 10.202.20.11:5000 is answered on the open network: an established flow there.
        assert.ok(await openClient.sendUdp('10.202.20.11', 5000, 40000), 'the open network answers');
        // The very same flow on the closed network is new there, and its group lets nothing in.
        assert.equal(await closedClient.sendUdp('10.202.20.11', 5000, 40000), false, "the other project's established flow let the datagram in");
        assert.equal(closedEcho.received(), 0);
        // The closed network is wired all right: once its group allows the port, the same flow passes.
        await datapath.syncSecurityGroup({ ...closedGroup, rules: [...closedGroup.rules, ruleFixture('ingress', { protocol: 'udp', port_range_min: 5000, port_range_max: 5000 })] });
        assert.ok(await closedClient.sendUdp('10.202.20.11', 5000, 40000), 'allowed, the closed network answers');
        assert.equal(openEcho.received(), 1, 'nothing of the closed network reached the open one');
      } finally {
        await openEcho.stop();
        await closedEcho.stop();
      }
    });
  });

  test('ping fails without an ICMP rule and passes once one is added, rewriting only that group\'s ports', async () => {
    await withDatapath(async ({ datapath, table }, guests) => {
      const network = networkFixture('10.202.2', { dhcp: false });
      await datapath.ensureNetwork(network.spec);
      const web = { id: randomUUID(), rules: [ruleFixture('egress'), ruleFixture('ingress', { protocol: 'tcp', port_range_min: 22, port_range_max: 22 })] };
      const other = defaultGroupFixture();
      await datapath.syncSecurityGroup(web);
      await datapath.syncSecurityGroup(other);
      const client = portFixture(network, 10, { security_groups: [web.id] });
      const server = portFixture(network, 11, { security_groups: [web.id] });
      const bystander = portFixture(network, 12, { security_groups: [other.id] });
      for (const [port, host] of [[client, 10], [server, 11], [bystander, 12]] as const) {
        const guest = await guestNamespace(port);
        guests.push(guest);
        await datapath.plugPort(port);
        await guest.setAddress(`10.202.2.${host}/24`);
      }
      const [clientGuest] = guests as [GuestNamespace];
      assert.equal(await clientGuest.ping('10.202.2.11'), false, 'no ICMP rule: ping is dropped');
      const bystanderChain = () => run('nft', ['-a', 'list', 'chain', 'inet', table, chainNames(bystander.id).ingress]);
      const before = await bystanderChain();
      await datapath.syncSecurityGroup({ ...web, rules: [...web.rules, ruleFixture('ingress', { protocol: 'icmp' })] });
      assert.ok(await clientGuest.reaches('10.202.2.11'), 'the ICMP rule lets the ping through');
      assert.equal(await bystanderChain(), before, 'a port of another group keeps its chain and rule handles');
    });
  });

  test('removing a rule ends the connections it allowed, not only new ones', async () => {
    await withDatapath(async ({ datapath }, guests) => {
      const network = networkFixture('10.202.7', { dhcp: false });
      const group = { id: randomUUID(), rules: [ruleFixture('egress'), ruleFixture('ingress', { protocol: 'icmp' })] };
      const [pinger] = await guestPair(datapath, guests, network, group);
      assert.ok(await pinger.reaches('10.202.7.11'));
      const ping = pinger.pingContinuously('10.202.7.11');
      try {
        for (let waited = 0; ping.replies() < 3 && waited < 5000; waited += 100) await sleep(100);
        assert.ok(ping.replies() >= 3, 'the running ping is answered');
        await datapath.syncSecurityGroup({ ...group, rules: [ruleFixture('egress')] });
        await sleep(400);
        const after = ping.replies();
        await sleep(1500);
        assert.equal(ping.replies(), after, 'no answer once the ICMP rule is gone');
      } finally {
        await ping.stop();
      }
    });
  });

  test('joining a remote group lets a port in: only the member set changes', async () => {
    await withDatapath(async ({ datapath, table }, guests) => {
      const network = networkFixture('10.202.4', { dhcp: false });
      await datapath.ensureNetwork(network.spec);
      const group = defaultGroupFixture();
      const outsider = { id: randomUUID(), rules: [ruleFixture('egress')] };
      await datapath.syncSecurityGroup(group);
      await datapath.syncSecurityGroup(outsider);
      const member = portFixture(network, 10, { security_groups: [group.id] });
      const stranger = portFixture(network, 11, { security_groups: [outsider.id] });
      for (const [port, host] of [[member, 10], [stranger, 11]] as const) {
        const guest = await guestNamespace(port);
        guests.push(guest);
        await datapath.plugPort(port);
        await guest.setAddress(`10.202.4.${host}/24`);
      }
      const [, strangerGuest] = guests as [GuestNamespace, GuestNamespace];
      assert.equal(await strangerGuest.ping('10.202.4.10'), false, 'ingress only from members of the group');
      const memberChain = () => run('nft', ['-a', 'list', 'chain', 'inet', table, chainNames(member.id).ingress]);
      const before = await memberChain();
      await datapath.updatePortSecurity({ ...stranger, security_groups: [outsider.id, group.id] });
      assert.ok(await strangerGuest.reaches('10.202.4.10'), 'a member now');
      assert.equal(await memberChain(), before, "the member's chain is untouched: only the group's address set changed");
    });
  });

  test('a TCP port range rule opens exactly that range', async () => {
    await withDatapath(async ({ datapath }, guests) => {
      const network = networkFixture('10.202.5', { dhcp: false });
      const group = { id: randomUUID(), rules: [ruleFixture('egress'), ruleFixture('ingress', { protocol: 'tcp', port_range_min: 2000, port_range_max: 2100 })] };
      const [client, server] = await guestPair(datapath, guests, network, group);
      for (const [port, open] of [[2050, true], [2100, true], [2101, false]] as const) {
        const stop = await server.serveTcpOnce(port);
        try {
          assert.equal(await client.connectTcp('10.202.5.11', port), open, `TCP ${port}`);
        } finally {
          await stop();
        }
      }
    });
  });

  test('IPv6: guests in the default group reach each other; a spoofed IPv6 source is dropped', async () => {
    await withDatapath(async ({ datapath }, guests) => {
      const subnetId = randomUUID();
      const network = {
        id: randomUUID(),
        network_type: 'flat' as const,
        segmentation_id: null,
        mtu: 1500,
        subnets: [{ id: subnetId, ip_version: 6 as const, cidr: 'fd00:202:6::/64', gateway_ip: 'fd00:202:6::1', enable_dhcp: false, allocation_pools: [], dns_nameservers: [], host_routes: [], isolated: true }],
        dhcp_port: null,
      };
      await datapath.ensureNetwork(network);
      const group = defaultGroupFixture();
      await datapath.syncSecurityGroup(group);
      for (const host of [10, 11]) {
        const port = { ...portFixture({ spec: network, prefix: '', subnetId }, host, { security_groups: [group.id] }), fixed_ips: [{ subnet_id: subnetId, ip_address: `fd00:202:6::${host}` }] };
        const guest = await guestNamespace(port);
        guests.push(guest);
        await datapath.plugPort(port);
        await guest.setAddress(`fd00:202:6::${host}/64`);
      }
      const [first] = guests as [GuestNamespace];
      assert.ok(await first.reaches('fd00:202:6::11'), 'from its own address');
      await first.setAddress('fd00:202:6::50/64');
      assert.equal(await first.ping('fd00:202:6::11'), false, 'from an address that is not its own');
    });
  });

  test('anti-spoofing drops a guest sending from an address that is not its own, until it is an allowed address pair', async () => {
    await withDatapath(async ({ datapath }, guests) => {
      const network = networkFixture('10.202.3', { dhcp: false });
      await datapath.ensureNetwork(network.spec);
      const group = defaultGroupFixture();
      await datapath.syncSecurityGroup(group);
      const sender = portFixture(network, 10, { security_groups: [group.id] });
      const receiver = portFixture(network, 11, { security_groups: [group.id] });
      for (const [port, host] of [[sender, 10], [receiver, 11]] as const) {
        const guest = await guestNamespace(port);
        guests.push(guest);
        await datapath.plugPort(port);
        await guest.setAddress(`10.202.3.${host}/24`);
      }
      const [senderGuest] = guests as [GuestNamespace];
      assert.ok(await senderGuest.reaches('10.202.3.11'), 'from its own address');
      await senderGuest.setAddress('10.202.3.50/24');
      assert.equal(await senderGuest.ping('10.202.3.11'), false, 'from an address that is not its own');
      await datapath.updatePortSecurity({ ...sender, allowed_address_pairs: [{ ip_address: '10.202.3.48/30' }] });
      assert.ok(await senderGuest.reaches('10.202.3.11'), 'from an allowed address pair');
    });
  });

  test('a floating IP reaches a guest from the external network, guests reach it through SNAT, and deleting everything leaves nothing', async () => {
    await withDatapath(async ({ datapath, table, stateDir }, guests) => {
      const external = networkFixture('10.202.9', { dhcp: false });
      const internal = networkFixture('10.202.8');
      await datapath.ensureNetwork(external.spec);
      await datapath.ensureNetwork(internal.spec);
      const group = { id: randomUUID(), rules: [ruleFixture('egress'), ruleFixture('ingress', { protocol: 'icmp' })] };
      await datapath.syncSecurityGroup(group);
      const withFip = portFixture(internal, 10, { security_groups: [group.id] });
      const withoutFip = portFixture(internal, 11, { security_groups: [group.id] });
      for (const port of [withFip, withoutFip]) {
        guests.push(await guestNamespace(port));
        await datapath.plugPort(port);
      }
      const router = routerFixture(internal, external);
      await datapath.ensureRouter(router);
      await datapath.setFloatingIps(router.id, [{ floating_ip_address: '10.202.9.20', fixed_ip_address: '10.202.8.10' }]);
      // A host on the external bridge: it has no route to the internal subnet, so only NAT gets replies back.
      const outsideDevice = `nbo${randomBytes(4).toString('hex')}`;
      const outside = await guestNamespace({ id: randomUUID(), mac_address: randomMac() }, { tapDevice: outsideDevice });
      guests.push(outside);
      await ip('link', 'set', 'dev', outsideDevice, 'master', bridgeName(external.spec.id));
      await outside.setAddress('10.202.9.100/24');
      const [fipGuest, plainGuest] = guests as [GuestNamespace, GuestNamespace];
      assert.equal(await fipGuest.dhcp(), '10.202.8.10');
      assert.equal(await plainGuest.dhcp(), '10.202.8.11');
      assert.ok(await outside.reaches('10.202.9.20'), 'the floating IP reaches its guest (DNAT)');
      assert.ok(await plainGuest.reaches('10.202.9.100'), 'a guest without a floating IP reaches the outside host (SNAT to the gateway)');
      assert.ok(await fipGuest.reaches('10.202.9.100'), 'a guest with a floating IP reaches the outside host (SNAT to it)');
      assert.deepEqual((await bridgePorts(bridgeName(external.spec.id))).filter((name) => !name.startsWith('tap')), [outsideDevice], 'the external bridge holds no host interface');

      await datapath.setFloatingIps(router.id, []);
      assert.equal(await outside.ping('10.202.9.20'), false, 'a released floating IP no longer answers');
      await datapath.deleteRouter(router.id);
      await ip('link', 'set', 'dev', outsideDevice, 'nomaster');
      for (const port of [withFip, withoutFip]) await datapath.unplugPort(port.id);
      await datapath.deleteSecurityGroup(group.id);
      await datapath.deleteNetwork(internal.spec.id);
      await datapath.deleteNetwork(external.spec.id);

      const inventory = await datapath.inventory();
      for (const network of [internal, external]) {
        assert.ok(!inventory.bridges.includes(bridgeName(network.spec.id)));
        assert.ok(!inventory.namespaces.includes(dhcpNamespace(network.spec.id)));
      }
      assert.ok(!inventory.namespaces.includes(routerNamespace(router.id)));
      const links = await ip('-o', 'link', 'show');
      // The guests' own veths are theirs to delete (as QEMU's driver deletes its taps); the data path's ends are gone.
      for (const port of [router.interfaces[0]!.port_id, router.external_gateway!.port_id, internal.spec.dhcp_port!.id]) {
        assert.ok(!links.includes(tapName(port)), `${tapName(port)} is gone`);
      }
      assert.deepEqual(await dnsmasqProcessesUnder(stateDir), [], 'no dnsmasq runs');
      assert.ok(!(await run('nft', ['list', 'tables'])).includes(table), 'the nftables tables are gone');
    });
  });
  test("an external network on a bridge of bridge_mappings (the all-in-one's public): its router's gateway joins that bridge, a floating IP reaches its guest and guests reach out through SNAT", async () => {
    const mapped = `brxh9${randomBytes(4).toString('hex')}`;
    await ip('link', 'add', 'name', mapped, 'type', 'bridge');
    try {
      // As the all-in-one makes its external bridge: up, the agent never changes it.
      await ip('link', 'set', 'dev', mapped, 'up');
      await withDatapath(
        async ({ datapath }, guests) => {
          const external = networkFixture('10.202.29', { dhcp: false });
          const internal = networkFixture('10.202.28');
          await datapath.ensureNetwork({ ...external.spec, physical_network: 'public' });
          await datapath.ensureNetwork(internal.spec);
          const group = { id: randomUUID(), rules: [ruleFixture('egress'), ruleFixture('ingress', { protocol: 'icmp' })] };
          await datapath.syncSecurityGroup(group);
          const withFip = portFixture(internal, 10, { security_groups: [group.id] });
          guests.push(await guestNamespace(withFip));
          await datapath.plugPort(withFip);
          const router = routerFixture(internal, external);
          await datapath.ensureRouter(router);
          await datapath.setFloatingIps(router.id, [{ floating_ip_address: '10.202.29.20', fixed_ip_address: '10.202.28.10' }]);
          const outsideDevice = `nboh9${randomBytes(4).toString('hex')}`;
          const outside = await guestNamespace({ id: randomUUID(), mac_address: randomMac() }, { tapDevice: outsideDevice });
          guests.push(outside);
          await ip('link', 'set', 'dev', outsideDevice, 'master', mapped);
          await outside.setAddress('10.202.29.100/24');
          const [guest] = guests as [GuestNamespace];
          assert.equal(await guest.dhcp(), '10.202.28.10');
          assert.ok((await bridgePorts(mapped)).includes(tapName(router.external_gateway!.port_id)), "the router's gateway is on the mapped bridge");
          assert.equal((await ip('-o', 'link', 'show')).includes(bridgeName(external.spec.id)), false, 'no brq bridge for the external network');
          assert.ok(await outside.reaches('10.202.29.20'), 'the floating IP reaches its guest (DNAT)');
          assert.ok(await guest.reaches('10.202.29.100'), 'the guest reaches the outside host (SNAT)');
          await ip('link', 'set', 'dev', outsideDevice, 'nomaster');
        },
        { bridgeMappings: { public: mapped } },
      );
    } finally {
      await ip('link', 'del', 'dev', mapped);
    }
  });
});
