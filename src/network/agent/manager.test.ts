import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { withOpenDatabase, withTestDatabase } from '../../../test/support/databases.js';
import { InprocTransport } from '../../common/bus/inproc/transport.js';
import { loadConfig } from '../../common/config/load.js';
import { migrateToLatest } from '../../common/db/migrator.js';
import { configureLogging } from '../../common/logging/logger.js';
import { networkMigrations } from '../db/migrations/index.js';
import type { CorePlugin } from '../plugin/network-plugin.js';
import { startNetworkServer } from '../server/network-server.js';
import { PluginRpcClient } from '../server/rpc-client.js';
import type { Availability } from './datapath.js';
import { FakeDatapath } from './fake/fake-datapath.js';
import { NetworkAgent } from './manager.js';

configureLogging({ sink: () => undefined });

type Json = Record<string, unknown>;

interface AgentCloud {
  readonly plugin: CorePlugin;
  readonly datapath: FakeDatapath;
  /** Starts (again) an agent for node-1 (the l3 host) and compute-1 on the datapath. */
  readonly startAgent: (datapath?: FakeDatapath) => Promise<NetworkAgent>;
  /** Starts an agent for one other host, with a tunnel endpoint and the physical networks it maps. */
  readonly startHostAgent: (host: string, datapath: FakeDatapath, tunnelIp: string, interfaceMappings?: Readonly<Record<string, string>>) => Promise<NetworkAgent>;
}

/** The network server and an agent on a fake data path, on the in-process bus over SQLite. */
async function withAgentCloud(fn: (cloud: AgentCloud) => Promise<void>): Promise<void> {
  await withTestDatabase('sqlite', (url) =>
    withOpenDatabase(url, async (db) => {
      await migrateToLatest(db, networkMigrations);
      const transport = new InprocTransport(`network-agent-${randomUUID()}`);
      await transport.connect();
      const config = loadConfig({ file: '/dev/null', env: { NIMBUS_HOST: 'node-1', NIMBUS_BUS_RPC_RESPONSE_TIMEOUT: '5' } });
      const server = await startNetworkServer({ database: db, transport, config, novaAuth: () => undefined });
      const agents: NetworkAgent[] = [];
      const dir = await mkdtemp(join(tmpdir(), 'nimbus-agent-'));
      const datapath = new FakeDatapath();
      const started = async (agent: NetworkAgent) => {
        await agent.start();
        agents.push(agent);
        return agent;
      };
      try {
        await fn({
          plugin: server.plugin,
          datapath,
          startAgent: (on = datapath) =>
            started(new NetworkAgent({ transport, datapath: on, hosts: ['node-1', 'compute-1'], l3Host: 'node-1', server: new PluginRpcClient(transport, 5), reportIntervalMs: 60_000, datapathName: 'fake', heldFile: join(dir, 'held.json') })),
          startHostAgent: (host, on, tunnelIp, interfaceMappings = {}) =>
            started(new NetworkAgent({ transport, datapath: on, hosts: [host], l3Host: 'node-1', server: new PluginRpcClient(transport, 5), reportIntervalMs: 60_000, datapathName: 'fake', tunnelIp, interfaceMappings, heldFile: join(dir, `held-${host}.json`) })),
        });
      } finally {
        for (const agent of agents) await agent.stop();
        await server.stop();
        await transport.close();
        await rm(dir, { recursive: true, force: true });
      }
    }),
  );
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let waited = 0; waited < 5000; waited += 20) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function network(plugin: CorePlugin, cidr = '10.9.0.0/24'): Promise<{ networkId: string; subnetId: string }> {
  const net = await plugin.networks.create('demo', { name: 'net' });
  const subnet = await plugin.subnets.create('demo', { network_id: String(net['id']), ip_version: 4, cidr });
  return { networkId: String(net['id']), subnetId: String(subnet['id']) };
}

const portStatus = async (plugin: CorePlugin, id: string) => String((await plugin.ports.get(id))['status']);

describe('the network agent and the server that drives it (fake data path, in-process bus)', () => {
  test('a port binds only to a host with a live agent: binding_failed before it runs, the bridge after; the agent wires it and it goes ACTIVE', () =>
    withAgentCloud(async ({ plugin, datapath, startAgent }) => {
      const { networkId } = await network(plugin);
      const early = await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-1' });
      assert.equal(early['binding:vif_type'], 'binding_failed');
      await startAgent();
      const agents = await plugin.agents.list();
      assert.deepEqual(agents.map((row) => `${String(row['host'])} ${String(row['agent_type'])} ${String(row['alive'])}`).sort(), [
        'compute-1 DHCP agent true',
        'compute-1 Linux bridge agent true',
        'node-1 DHCP agent true',
        'node-1 L3 agent true',
        'node-1 Linux bridge agent true',
      ]);
      const port = await plugin.ports.update(String(early['id']), { 'binding:host_id': 'compute-1' });
      assert.equal(port['binding:vif_type'], 'bridge');
      assert.deepEqual(port['binding:vif_details'], { bridge_name: `brq${networkId.slice(0, 11)}`, connectivity: 'l2', port_filter: true });
      await until('ACTIVE', async () => ((await portStatus(plugin, String(port['id']))) === 'ACTIVE' ? true : undefined));
      assert.ok(datapath.ports.has(String(port['id'])));
      const wired = datapath.networks.get(networkId);
      assert.ok(wired?.dhcp_port !== null && wired?.dhcp_port !== undefined, 'the network is wired with its DHCP port');
      const dhcpPorts = (await plugin.ports.list(undefined)).filter((view) => view['device_owner'] === 'network:dhcp');
      assert.equal(dhcpPorts.length, 1);
      assert.equal(dhcpPorts[0]?.['status'], 'ACTIVE');

      // Unbinding takes the port off and lets the host's network go; the port is DOWN.
      const unbound = await plugin.ports.update(String(port['id']), { 'binding:host_id': '' });
      assert.equal(unbound['binding:vif_type'], 'unbound');
      assert.equal(unbound['status'], 'DOWN');
      await until('the port and network gone', () => (datapath.ports.size === 0 && !datapath.networks.has(networkId) ? true : undefined));
    }));

  test("security group rules and membership reach the hosts with ports in the group, in place", () =>
    withAgentCloud(async ({ plugin, datapath, startAgent }) => {
      await startAgent();
      const { networkId } = await network(plugin);
      const group = await plugin.securityGroups.create('demo', { name: 'web' });
      const groupId = String(group['id']);
      const port = await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-1', security_groups: [groupId] });
      await until('the group synced', () => datapath.securityGroups.get(groupId));
      const rule = await plugin.securityGroups.createRule('demo', { security_group_id: groupId, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22 });
      await until('the rule in force', () => (datapath.securityGroups.get(groupId)?.rules.some((r) => r.id === rule['id']) === true ? true : undefined));
      await plugin.securityGroups.deleteRule(String(rule['id']));
      await until('the rule gone', () => (datapath.securityGroups.get(groupId)?.rules.some((r) => r.id === rule['id']) === false ? true : undefined));
      await plugin.ports.update(String(port['id']), { security_groups: [] });
      await until('the port out of the group', () => (datapath.ports.get(String(port['id']))?.security_groups.length === 0 ? true : undefined));
    }));

  test('routers and floating IPs are wired on the l3 host with the networks they reach; a subnet is routed (not isolated) while a router holds its gateway', () =>
    withAgentCloud(async ({ plugin, datapath, startAgent }) => {
      await startAgent();
      const external = await plugin.networks.create('admin', { name: 'public', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'public' });
      const externalId = String(external['id']);
      await plugin.subnets.create('admin', { network_id: externalId, ip_version: 4, cidr: '172.24.4.0/24', enable_dhcp: false });
      const { networkId, subnetId } = await network(plugin);
      const router = await plugin.routers.create('demo', { name: 'r1', external_gateway_info: { network_id: externalId } });
      const routerId = String(router['id']);
      await plugin.routers.addInterface(routerId, { subnet_id: subnetId });
      const wired = await until('the router with its interface', () => ((datapath.routers.get(routerId)?.interfaces.length ?? 0) > 0 ? datapath.routers.get(routerId) : undefined));
      assert.equal(wired.interfaces[0]?.ip_address, '10.9.0.1');
      assert.equal(wired.external_gateway?.network_id, externalId);
      assert.ok(datapath.networks.has(networkId) && datapath.networks.has(externalId));
      assert.equal(datapath.networks.get(externalId)?.dhcp_port, null, 'no DHCP on the external network');
      assert.deepEqual(datapath.networks.get(networkId)?.subnets.map((subnet) => subnet.isolated), [false], 'guests reach metadata through the router');

      const port = await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-1' });
      const floating = await plugin.floatingIps.create('demo', { floating_network_id: externalId, port_id: String(port['id']) });
      const floatingId = String(floating['id']);
      assert.equal(floating['status'], 'DOWN', 'DOWN until the l3 host maps it');
      await until('the floating IP', () => (datapath.floatingIps.get(routerId)?.[0]?.floating_ip_address === floating['floating_ip_address'] ? true : undefined));
      await until('the floating IP ACTIVE', async () => ((await plugin.floatingIps.get(floatingId))['status'] === 'ACTIVE' ? true : undefined));
      const released = await plugin.floatingIps.update(floatingId, { port_id: null });
      assert.equal(released['status'], 'DOWN', 'a floating IP without a port is DOWN');
      await until('the floating IP unmapped', () => (datapath.floatingIps.get(routerId)?.length === 0 ? true : undefined));
      assert.equal((await plugin.floatingIps.get(floatingId))['status'], 'DOWN');
      await plugin.floatingIps.update(floatingId, { port_id: String(port['id']) });
      await until('the floating IP mapped again', () => (datapath.floatingIps.get(routerId)?.length === 1 ? true : undefined));
      await plugin.floatingIps.delete(floatingId);
      await until('the floating IP gone', () => (datapath.floatingIps.get(routerId)?.length === 0 ? true : undefined));
      await plugin.routers.removeInterface(routerId, { subnet_id: subnetId });
      // The host keeps the network for its port: the subnet, isolated again, gets metadata from its DHCP namespace.
      await until('the subnet isolated', () => (datapath.networks.get(networkId)?.subnets[0]?.isolated === true ? true : undefined));
      await plugin.routers.delete(routerId);
      await until('the router gone', () => (datapath.routers.has(routerId) ? undefined : true));
    }));

  test("a router interface's fixed IP changed by a port update reaches the l3 host at once (routers_updated), and its subnet's DHCP: isolated while the router leaves the gateway address, routed when it takes it back", () =>
    withAgentCloud(async ({ plugin, datapath, startAgent }) => {
      await startAgent();
      const { networkId, subnetId } = await network(plugin);
      await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-1' });
      const routerId = String((await plugin.routers.create('demo', { name: 'r1' }))['id']);
      const portId = String((await plugin.routers.addInterface(routerId, { subnet_id: subnetId }))['port_id']);
      const interfaceAt = (address: string) => () => (datapath.routers.get(routerId)?.interfaces.map((end) => end.ip_address).join() === address ? true : undefined);
      const isolated = (wanted: boolean) => () => (datapath.networks.get(networkId)?.subnets[0]?.isolated === wanted ? true : undefined);
      await until('the router with its interface at the gateway', interfaceAt('10.9.0.1'));
      await until('the subnet routed', isolated(false));

      await plugin.ports.update(portId, { fixed_ips: [{ subnet_id: subnetId, ip_address: '10.9.0.254' }] });
      await until('the interface at its new address', interfaceAt('10.9.0.254'));
      await until('the subnet isolated: no router holds its gateway', isolated(true));
      await plugin.ports.update(portId, { fixed_ips: [{ subnet_id: subnetId, ip_address: '10.9.0.1' }] });
      await until('the interface back at the gateway', interfaceAt('10.9.0.1'));
      await until('the subnet routed again', isolated(false));
    }));

  test('a restarted agent resyncs: it wires what changed while it was away and removes what its hosts no longer hold', () =>
    withAgentCloud(async ({ plugin, datapath, startAgent }) => {
      const agent = await startAgent();
      const { networkId } = await network(plugin);
      const gone = await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-1' });
      await until('plugged', () => (datapath.ports.has(String(gone['id'])) ? true : undefined));
      await agent.stop();
      // While the agent is away: its port is deleted, another is bound on a new network.
      await plugin.ports.delete(String(gone['id']));
      const other = await network(plugin, '10.10.0.0/24');
      const arrived = await plugin.ports.create('demo', { network_id: other.networkId, 'binding:host_id': 'compute-1' });
      assert.ok(datapath.ports.has(String(gone['id'])), 'nobody told the stopped agent');
      await startAgent();
      assert.deepEqual([...datapath.ports.keys()], [String(arrived['id'])]);
      assert.deepEqual([...datapath.networks.keys()], [other.networkId]);
      assert.equal(await portStatus(plugin, String(arrived['id'])), 'ACTIVE');
    }));

  test('an agent that cannot wire reports itself down with its reason, and nothing binds to its hosts', () =>
    withAgentCloud(async ({ plugin, startAgent }) => {
      const reason = 'the network agent lacks CAP_NET_ADMIN (run it as root) and cannot create bridges, namespaces or nftables rules';
      const unprivileged = new (class extends FakeDatapath {
        override checkAvailable(): Promise<Availability> {
          return Promise.resolve({ available: false, reason });
        }
      })();
      await startAgent(unprivileged);
      const agents = await plugin.agents.list();
      assert.equal(agents.length, 5);
      for (const row of agents) {
        assert.equal(row['alive'], false);
        assert.equal((row['configurations'] as Json)['down_reason'], reason);
      }
      const { networkId } = await network(plugin);
      const port = await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-1' });
      assert.equal(port['binding:vif_type'], 'binding_failed');
      assert.equal(unprivileged.networks.size, 0, 'nothing is half-wired');
    }));

  test("a flat or vlan network's port binds only on a host whose agent maps its physical network (binding_failed elsewhere, also on a host mapping none, as Neutron's check_segment_for_agent; nothing wired there)", () =>
    withAgentCloud(async ({ plugin, startHostAgent }) => {
      const [mapped, unmapped, local] = [new FakeDatapath(), new FakeDatapath(), new FakeDatapath()];
      await startHostAgent('compute-a', mapped, '10.203.0.1', { physnet1: 'eth1' });
      await startHostAgent('compute-b', unmapped, '10.203.0.2', { physnet2: 'eth2' });
      await startHostAgent('compute-c', local, '10.203.0.3');
      const flat = await plugin.networks.create('admin', { name: 'flat1', 'provider:network_type': 'flat', 'provider:physical_network': 'physnet1' });
      const networkId = String(flat['id']);
      await plugin.subnets.create('admin', { network_id: networkId, ip_version: 4, cidr: '10.9.1.0/24' });

      const refused = await plugin.ports.create('admin', { network_id: networkId, 'binding:host_id': 'compute-b' });
      assert.equal(refused['binding:vif_type'], 'binding_failed');
      assert.deepEqual(refused['binding:vif_details'], {});
      assert.equal(refused['status'], 'DOWN');
      const onA = await plugin.ports.create('admin', { network_id: networkId, 'binding:host_id': 'compute-a' });
      assert.equal(onA['binding:vif_type'], 'bridge');
      const onC = await plugin.ports.create('admin', { network_id: networkId, 'binding:host_id': 'compute-c' });
      assert.equal(onC['binding:vif_type'], 'binding_failed');
      await until('A wires the network', () => (mapped.networks.has(networkId) ? true : undefined));
      assert.equal(unmapped.networks.size + local.networks.size, 0, 'nothing is wired on the hosts that cannot reach the network');

      // Nova's move of the port (a migration) to the host without the mapping fails the same way; back to a mapped host binds.
      const moved = await plugin.ports.update(String(onA['id']), { 'binding:host_id': 'compute-b' });
      assert.equal(moved['binding:vif_type'], 'binding_failed');
      assert.equal((await plugin.ports.update(String(refused['id']), { 'binding:host_id': 'compute-a' }))['binding:vif_type'], 'bridge');
      // A VXLAN network needs no mapping.
      const { networkId: tunnelled } = await network(plugin);
      assert.equal((await plugin.ports.create('demo', { network_id: tunnelled, 'binding:host_id': 'compute-b' }))['binding:vif_type'], 'bridge');
    }));

  test("VXLAN between hosts: agents report their tunnel endpoint, and each host holding a network floods to the others' (l2population), also after a resync", () =>
    withAgentCloud(async ({ plugin, startHostAgent }) => {
      const [first, second] = [new FakeDatapath(), new FakeDatapath()];
      const agentA = await startHostAgent('compute-a', first, '10.203.0.1');
      await startHostAgent('compute-b', second, '10.203.0.2');
      const bridgeAgent = (await plugin.agents.list()).find((row) => row['host'] === 'compute-a' && row['agent_type'] === 'Linux bridge agent');
      assert.deepEqual(bridgeAgent?.['configurations'], { datapath: 'fake', devices: 0, interface_mappings: {}, bridge_mappings: {}, tunneling_ip: '10.203.0.1', tunnel_types: ['vxlan'], l2_population: true });

      const { networkId } = await network(plugin);
      assert.equal((await plugin.networks.get(networkId))['provider:network_type'], 'vxlan');
      await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-a' });
      await until('host A wires the network', () => (first.networks.has(networkId) ? true : undefined));
      const onB = await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-b' });
      await until('each host floods to the other', () => (first.tunnelPeers.get(networkId)?.join() === '10.203.0.2' && second.tunnelPeers.get(networkId)?.join() === '10.203.0.1' ? true : undefined));

      await plugin.ports.delete(String(onB['id']));
      await until('host B lets the network go and host A floods to nobody', () => (!second.networks.has(networkId) && first.tunnelPeers.get(networkId)?.length === 0 ? true : undefined));

      // A restarted agent hears its peers from the desired state of its host.
      await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-b' });
      await until('host A floods to B again', () => (first.tunnelPeers.get(networkId)?.join() === '10.203.0.2' ? true : undefined));
      await agentA.stop();
      const restarted = new FakeDatapath();
      await startHostAgent('compute-a', restarted, '10.203.0.1');
      await until('the resync names B', () => (restarted.tunnelPeers.get(networkId)?.join() === '10.203.0.2' ? true : undefined));
    }));

  test('l2population: each host holds a unicast entry per port on the other hosts (MAC, addresses, endpoint), moved with a migrated port and gone with a deleted one; the DHCP port is in none', () =>
    withAgentCloud(async ({ plugin, startHostAgent }) => {
      const [first, second] = [new FakeDatapath(), new FakeDatapath()];
      await startHostAgent('compute-a', first, '10.203.0.1');
      await startHostAgent('compute-b', second, '10.203.0.2');
      const { networkId } = await network(plugin);
      const onA = await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-a' });
      const onB = await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-b' });
      const entry = (port: Json, endpoint: string) => ({ mac_address: port['mac_address'], ip_addresses: (port['fixed_ips'] as Json[]).map((fixed) => fixed['ip_address']), tunnel_ip: endpoint });
      const holds = (datapath: FakeDatapath, expected: unknown[]) => () => (JSON.stringify(datapath.remotePorts.get(networkId) ?? []) === JSON.stringify(expected) ? true : undefined);
      await until('A holds the port on B, B the port on A', () => holds(first, [entry(onB, '10.203.0.2')])() && holds(second, [entry(onA, '10.203.0.1')])());

      // A live migration: the port bound on B moves to A; A needs no entry for it, B now has one.
      await plugin.ports.update(String(onB['id']), { 'binding:host_id': 'compute-a' });
      await until('A holds no remote port', holds(first, []));
      await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-b' });
      const moved = await plugin.ports.get(String(onB['id']));
      await until('B holds both ports on A', () => {
        const held = new Set((second.remotePorts.get(networkId) ?? []).map((port) => `${port.mac_address} ${port.tunnel_ip}`));
        return held.has(`${String(onA['mac_address'])} 10.203.0.1`) && held.has(`${String(moved['mac_address'])} 10.203.0.1`) && held.size === 2 ? true : undefined;
      });
      await plugin.ports.delete(String(onA['id']));
      await until('the deleted port leaves B', () => ((second.remotePorts.get(networkId) ?? []).length === 1 ? true : undefined));
      assert.equal(second.remotePorts.get(networkId)?.[0]?.mac_address, moved['mac_address']);
    }));

  test("l2population sends changes: a port on a host already holding the network reaches the other holders as its own entry, never their whole table again; a host the port brings to the network gets the table once; the changes add up to what a resync sends", () =>
    withAgentCloud(async ({ plugin, startHostAgent }) => {
      const [first, second] = [new FakeDatapath(), new FakeDatapath()];
      const agentA = await startHostAgent('compute-a', first, '10.203.0.1');
      await startHostAgent('compute-b', second, '10.203.0.2');
      const { networkId } = await network(plugin);
      await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-a' });
      await until('A gets the table with its first port', () => (first.tunnelTableSyncs.get(networkId) === 1 ? true : undefined));
      const onB: Json[] = [];
      for (let count = 0; count < 4; count++) onB.push(await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-b' }));
      await until('A floods to B and holds the four ports on B', () => (first.tunnelPeers.get(networkId)?.join() === '10.203.0.2' && first.remotePorts.get(networkId)?.length === 4 ? true : undefined));
      await until('B floods to A and holds the port on A', () => (second.tunnelPeers.get(networkId)?.join() === '10.203.0.1' && second.remotePorts.get(networkId)?.length === 1 ? true : undefined));
      await plugin.ports.delete(String(onB[0]?.['id']));
      await until('the deleted port leaves A', () => (first.remotePorts.get(networkId)?.length === 3 ? true : undefined));
      assert.equal(first.tunnelPeers.get(networkId)?.join(), '10.203.0.2', 'B still holds the network: A still floods to it');
      assert.equal(first.tunnelTableSyncs.get(networkId), 1, 'A heard changes only after its first table');
      assert.equal(second.tunnelTableSyncs.get(networkId), 1, 'B got the table once, when its first port brought it to the network');

      const changed = first.remotePorts.get(networkId);
      await agentA.stop();
      const restarted = new FakeDatapath();
      await startHostAgent('compute-a', restarted, '10.203.0.1');
      await until('the resync gives A its table', () => (restarted.tunnelTableSyncs.get(networkId) === 1 ? true : undefined));
      assert.deepEqual(restarted.remotePorts.get(networkId), changed);
      assert.deepEqual(restarted.tunnelPeers.get(networkId), ['10.203.0.2']);
    }));

  test("l2population after a fixed IP change on the same host: the other holders hear update_fdb_entries with the address that went and the one that came (chg_ip), nothing else; the port's own host hears none; a change without new addresses sends nothing", () =>
    withAgentCloud(async ({ plugin, startHostAgent }) => {
      const [first, second, third] = [new FakeDatapath(), new FakeDatapath(), new FakeDatapath()];
      await startHostAgent('compute-a', first, '10.203.0.1');
      await startHostAgent('compute-b', second, '10.203.0.2');
      await startHostAgent('compute-c', third, '10.203.0.3');
      const { networkId, subnetId } = await network(plugin);
      for (const host of ['compute-a', 'compute-c']) await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': host });
      const onB = await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-b', fixed_ips: [{ subnet_id: subnetId, ip_address: '10.9.0.40' }] });
      const mac = String(onB['mac_address']);
      const holdsB = (datapath: FakeDatapath, addresses: string[]) => () => (JSON.stringify(datapath.remotePorts.get(networkId)?.find((port) => port.mac_address === mac)) === JSON.stringify({ mac_address: mac, ip_addresses: addresses, tunnel_ip: '10.203.0.2' }) ? true : undefined);
      await until("A and C hold B's port", () => holdsB(first, ['10.9.0.40'])() && holdsB(third, ['10.9.0.40'])());
      const heard = [first, second, third].map((datapath) => datapath.tunnelChanges.length);
      const syncs = [first, second, third].map((datapath) => datapath.tunnelTableSyncs.get(networkId));

      await plugin.ports.update(String(onB['id']), { fixed_ips: [{ subnet_id: subnetId, ip_address: '10.9.0.41' }, { subnet_id: subnetId, ip_address: '10.9.0.42' }] });
      await until("A and C answer for B's port's new addresses", () => holdsB(first, ['10.9.0.41', '10.9.0.42'])() && holdsB(third, ['10.9.0.41', '10.9.0.42'])());
      const change = { tunnel_ip: '10.203.0.2', before: [[mac, '10.9.0.40']], after: [[mac, '10.9.0.41'], [mac, '10.9.0.42']] };
      for (const [index, datapath] of [first, third].entries()) {
        assert.deepEqual(datapath.tunnelChanges.slice(heard[index === 0 ? 0 : 2]), [{ networkId, verb: 'addresses', change }], 'one chg_ip with the address that went and those that came');
      }
      assert.equal(second.tunnelChanges.length, heard[1], "the port's own host hears nothing");
      assert.deepEqual([first, second, third].map((datapath) => datapath.tunnelTableSyncs.get(networkId)), syncs, 'no host gets its whole table again');

      // One address kept, one gone: only the gone one is named.
      await plugin.ports.update(String(onB['id']), { fixed_ips: [{ subnet_id: subnetId, ip_address: '10.9.0.42' }] });
      await until('A and C forget the gone address', () => holdsB(first, ['10.9.0.42'])() && holdsB(third, ['10.9.0.42'])());
      assert.deepEqual(first.tunnelChanges.at(-1), { networkId, verb: 'addresses', change: { tunnel_ip: '10.203.0.2', before: [[mac, '10.9.0.41']], after: [] } });
      const count = first.tunnelChanges.length;
      await plugin.ports.update(String(onB['id']), { name: 'renamed' });
      await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-b' });
      await until('a later port on B reaches A', () => (first.tunnelChanges.length > count ? true : undefined));
      assert.equal(first.tunnelChanges[count]?.verb, 'add', 'the rename sent nothing before the next port arrived');
    }));

  test("l2population of a router's ends: an interface added reaches the other holders as the l3 host's port (its MAC and gateway address, the l3 host flooded to when the router brought it there), the l3 host gets the table once; a new fixed IP is its chg_ip; removed, it goes the same way; no holder gets its whole table again", () =>
    withAgentCloud(async ({ plugin, startHostAgent }) => {
      const [first, second, l3] = [new FakeDatapath(), new FakeDatapath(), new FakeDatapath()];
      await startHostAgent('compute-a', first, '10.203.0.1');
      await startHostAgent('compute-b', second, '10.203.0.2');
      await startHostAgent('node-1', l3, '10.203.0.9');
      const { networkId, subnetId } = await network(plugin);
      const onA = await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-a' });
      await plugin.ports.create('demo', { network_id: networkId, 'binding:host_id': 'compute-b' });
      await until('A and B flood to each other', () => (first.tunnelPeers.get(networkId)?.join() === '10.203.0.2' && second.tunnelPeers.get(networkId)?.join() === '10.203.0.1' ? true : undefined));
      const syncs = [first, second].map((datapath) => datapath.tunnelTableSyncs.get(networkId));
      const heard = [first, second].map((datapath) => datapath.tunnelChanges.length);

      const router = await plugin.routers.create('demo', { name: 'r1' });
      const routerId = String(router['id']);
      const added = await plugin.routers.addInterface(routerId, { subnet_id: subnetId });
      const routerMac = String((await plugin.ports.get(String(added['port_id'])))['mac_address']);
      const end = { mac_address: routerMac, ip_addresses: ['10.9.0.1'], tunnel_ip: '10.203.0.9' };
      await until('A and B hold the router port and flood to the l3 host', () => [first, second].every((datapath) => datapath.tunnelPeers.get(networkId)?.includes('10.203.0.9') && datapath.remotePorts.get(networkId)?.some((port) => port.mac_address === routerMac)) || undefined);
      for (const [index, datapath] of [first, second].entries()) {
        assert.deepEqual(datapath.tunnelChanges.slice(heard[index]), [{ networkId, verb: 'add', change: { peers: ['10.203.0.9'], ports: [end] } }], "one add_fdb_entries with the router's end");
      }
      await until('the l3 host gets its table', () => (l3.tunnelTableSyncs.get(networkId) === 1 ? true : undefined));
      assert.deepEqual(l3.tunnelPeers.get(networkId), ['10.203.0.1', '10.203.0.2']);
      assert.deepEqual(l3.remotePorts.get(networkId)?.map((port) => port.tunnel_ip).sort(), ['10.203.0.1', '10.203.0.2']);
      assert.deepEqual([first, second].map((datapath) => datapath.tunnelTableSyncs.get(networkId)), syncs, 'no holder gets its whole table again');

      // The router's port given another address: the others hear it as the l3 host's port's chg_ip.
      const counts = [first, second].map((datapath) => datapath.tunnelChanges.length);
      await plugin.ports.update(String(added['port_id']), { fixed_ips: [{ subnet_id: subnetId, ip_address: '10.9.0.254' }] });
      await until('A and B answer for the router end at its new address', () => [first, second].every((datapath) => datapath.remotePorts.get(networkId)?.find((port) => port.mac_address === routerMac)?.ip_addresses.join() === '10.9.0.254') || undefined);
      for (const [index, datapath] of [first, second].entries()) {
        assert.deepEqual(datapath.tunnelChanges.slice(counts[index]), [{ networkId, verb: 'addresses', change: { tunnel_ip: '10.203.0.9', before: [[routerMac, '10.9.0.1']], after: [[routerMac, '10.9.0.254']] } }]);
      }

      await plugin.routers.removeInterface(routerId, { subnet_id: subnetId });
      await until('A and B forget the router port and the l3 host', () => [first, second].every((datapath) => !datapath.tunnelPeers.get(networkId)?.includes('10.203.0.9') && !datapath.remotePorts.get(networkId)?.some((port) => port.mac_address === routerMac)) || undefined);
      assert.deepEqual(first.tunnelChanges.at(-1), { networkId, verb: 'remove', change: { peers: ['10.203.0.9'], ports: [{ ...end, ip_addresses: [] }] } });
      await until('the l3 host lets the network go', () => (l3.networks.has(networkId) ? undefined : true));
      assert.deepEqual([first, second].map((datapath) => datapath.tunnelTableSyncs.get(networkId)), syncs);
      assert.deepEqual(second.remotePorts.get(networkId)?.map((port) => port.mac_address), [onA['mac_address']]);
    }));
});
