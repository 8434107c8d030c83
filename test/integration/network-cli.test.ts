import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeCliCloud } from '../support/fake-cli-cloud.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk } from '../support/openstack-cli.js';

// Issue 14's API side, driven through Debian's python3-openstackclient against `nimbus up`.
const skip = openstackCliUnavailable();

type Row = Record<string, unknown>;

describe('networking through the openstack CLI', { skip }, () => {
  const cloud = fakeCliCloud('network-cli');

  test("a fresh up lays DevStack's topology: public (external, flat) and private networks, their subnets, router1 joining them", async () => {
    const names = (await openstackJson<Row[]>(cloud.admin, ['network', 'list'])).map((row) => row['Name']);
    assert.deepEqual([...names].sort(), ['private', 'public']);
    const external = await openstackJson<Row>(cloud.admin, ['network', 'show', 'public']);
    assert.equal(external['router:external'], true);
    assert.equal(external['shared'], false);
    assert.equal(external['provider:network_type'], 'flat');
    const publicSubnet = await openstackJson<Row>(cloud.admin, ['subnet', 'show', 'public-subnet']);
    assert.equal(publicSubnet['cidr'], '172.24.4.0/24');
    assert.equal(publicSubnet['gateway_ip'], '172.24.4.1');
    assert.equal(publicSubnet['enable_dhcp'], false);
    const privateSubnet = await openstackJson<Row>(cloud.admin, ['subnet', 'show', 'private-subnet']);
    assert.equal(privateSubnet['cidr'], '10.0.0.0/26');
    assert.equal(privateSubnet['gateway_ip'], '10.0.0.1');
    const demoProject = await openstackJson<Row>(cloud.admin, ['project', 'show', 'demo']);
    assert.equal((await openstackJson<Row>(cloud.admin, ['network', 'show', 'private']))['project_id'], demoProject['id']);
    assert.deepEqual((await openstackJson<Row[]>(cloud.admin, ['router', 'list'])).map((row) => row['Name']), ['router1']);
    const router = await openstackJson<Row>(cloud.admin, ['router', 'show', 'router1']);
    assert.equal((router['external_gateway_info'] as Row)['network_id'], external['id']);
    assert.equal(router['project_id'], demoProject['id']);
    const interfaces = await openstackJson<Row[]>(cloud.admin, ['port', 'list', '--router', 'router1', '--device-owner', 'network:router_interface']);
    assert.equal(interfaces.length, 1);
    assert.match(JSON.stringify(interfaces[0]?.['Fixed IP Addresses']), /10\.0\.0\.1'?"?/);
  });

  test('the network agent is listed alive: Linux bridge, DHCP and L3 agents of the node', async () => {
    const agents = await openstackJson<Row[]>(cloud.admin, ['network', 'agent', 'list']);
    const types = new Set(agents.map((row) => row['Agent Type']));
    assert.deepEqual([...types].sort(), ['DHCP agent', 'L3 agent', 'Linux bridge agent']);
    for (const agent of agents) assert.equal(agent['Alive'], true, `${String(agent['Agent Type'])} on ${String(agent['Host'])} is alive`);
    assert.ok(agents.some((row) => row['Host'] === 'compute-1' && row['Agent Type'] === 'Linux bridge agent'), 'the compute host has its agent');
  });

  test('ports, security groups and a floating IP: create, list, show, set, delete', async () => {
    const port = await openstackJson<Row>(cloud.admin, ['port', 'create', '--network', 'private', '--fixed-ip', 'subnet=private-subnet,ip-address=10.0.0.20', 'p1']);
    assert.deepEqual((port['fixed_ips'] as Row[]).map((ip) => ip['ip_address']), ['10.0.0.20']);
    assert.equal(port['status'], 'DOWN');
    await openstackOk(cloud.admin, ['security', 'group', 'create', 'web']);
    const rule = await openstackJson<Row>(cloud.admin, ['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '22', 'web']);
    assert.equal(rule['port_range_min'], 22);
    await openstackOk(cloud.admin, ['port', 'set', '--security-group', 'web', 'p1']);
    const floating = await openstackJson<Row>(cloud.admin, ['floating', 'ip', 'create', '--port', 'p1', 'public']);
    assert.match(String(floating['floating_ip_address']), /^172\.24\.4\.\d+$/);
    assert.equal(floating['fixed_ip_address'], '10.0.0.20');
    await openstackOk(cloud.admin, ['floating', 'ip', 'unset', '--port', String(floating['id'])]);
    await openstackOk(cloud.admin, ['floating', 'ip', 'delete', String(floating['id'])]);
    const quota = await openstackJson<Row>(cloud.admin, ['quota', 'show']);
    assert.equal(quota['networks'], 100, 'quota show includes the network figures');
    await openstackOk(cloud.admin, ['network', 'set', '--name', 'renamed', '--description', 'd', 'private']);
    assert.equal((await openstackJson<Row>(cloud.admin, ['network', 'show', 'renamed']))['description'], 'd');
    await openstackOk(cloud.admin, ['network', 'set', '--name', 'private', 'renamed']);
  });

  test("bad inputs get Neutron's faults and change nothing", async () => {
    const overlap = await openstack(cloud.admin, ['subnet', 'create', '--network', 'private', '--subnet-range', '10.0.0.32/27', 'bad']);
    assert.notEqual(overlap.code, 0);
    assert.match(overlap.stderr, /400.*overlaps with another subnet/);
    const outside = await openstack(cloud.admin, ['port', 'create', '--network', 'private', '--fixed-ip', 'subnet=private-subnet,ip-address=10.9.9.9', 'bad']);
    assert.match(outside.stderr, /400.*is not a valid IP for the specified subnet/);
    const taken = await openstack(cloud.admin, ['port', 'create', '--network', 'private', '--fixed-ip', 'subnet=private-subnet,ip-address=10.0.0.20', 'bad']);
    assert.match(taken.stderr, /409/);
    const protocol = await openstack(cloud.admin, ['security', 'group', 'rule', 'create', '--protocol', 'bogus', 'web']);
    assert.match(protocol.stderr, /400.*protocol bogus not supported/);
    const notExternal = await openstack(cloud.admin, ['floating', 'ip', 'create', 'private']);
    assert.match(notExternal.stderr, /400.*not a valid external network/);
    const inUse = await openstack(cloud.admin, ['network', 'delete', 'private']);
    assert.match(inUse.stderr, /409.*ports still in use/);
    const groupInUse = await openstack(cloud.admin, ['security', 'group', 'delete', 'web']);
    assert.match(groupInUse.stderr, /409|in use/);
    const second = await openstack(cloud.admin, ['router', 'add', 'subnet', 'router1', 'private-subnet']);
    assert.match(second.stderr, /400.*already has a port on subnet/);
    const ports = await openstackJson<Row[]>(cloud.admin, ['port', 'list', '--network', 'private']);
    assert.equal(ports.length, 3, 'p1, the router interface and the DHCP port, nothing from the refused requests');
  });

  test('provider networks: vlan and flat with their ML2 checks (VLAN id in use 409, out of range 400, unknown physical network 400, a second flat network on a physical network 409)', async () => {
    const vlan = await openstackJson<Row>(cloud.admin, ['network', 'create', '--provider-network-type', 'vlan', '--provider-physical-network', 'physnet1', '--provider-segment', '101', 'provider-vlan-101']);
    assert.equal(vlan['provider:network_type'], 'vlan');
    assert.equal(vlan['provider:physical_network'], 'physnet1');
    assert.equal(vlan['provider:segmentation_id'], 101);
    assert.equal(vlan['mtu'], 1500, 'a vlan network has the physical MTU');
    const refusals: [string[], RegExp][] = [
      [['--provider-network-type', 'vlan', '--provider-physical-network', 'physnet1', '--provider-segment', '101'], /VLAN 101 on physical network physnet1 is in use/],
      [['--provider-network-type', 'vlan', '--provider-physical-network', 'physnet1', '--provider-segment', '4095'], /segmentation_id out of range \(1 through 4094\)|4095/],
      [['--provider-network-type', 'vlan', '--provider-physical-network', 'physnet9', '--provider-segment', '102'], /physical_network 'physnet9' unknown for VLAN provider network/],
      [['--provider-network-type', 'flat', '--provider-physical-network', 'public'], /Physical network public is in use/],
    ];
    for (const [args, message] of refusals) {
      const refused = await openstack(cloud.admin, ['network', 'create', ...args, 'provider-refused']);
      assert.notEqual(refused.code, 0, args.join(' '));
      assert.match(refused.stderr, message, args.join(' '));
    }
    const tenantRange = await openstackJson<Row>(cloud.admin, ['network', 'create', '--provider-network-type', 'vlan', '--provider-physical-network', 'physnet1', 'provider-vlan-any']);
    const id = Number(tenantRange['provider:segmentation_id']);
    assert.ok(id >= 1000 && id <= 2999, `a vlan id from [network] network_vlan_ranges, got ${id}`);
    assert.equal((await openstackJson<Row[]>(cloud.admin, ['network', 'list', '--name', 'provider-refused'])).length, 0, 'refused requests left no network');
    await openstackOk(cloud.admin, ['network', 'delete', 'provider-vlan-101', 'provider-vlan-any']);
    const again = await openstackJson<Row>(cloud.admin, ['network', 'create', '--provider-network-type', 'vlan', '--provider-physical-network', 'physnet1', '--provider-segment', '101', 'provider-vlan-101']);
    assert.equal(again['provider:segmentation_id'], 101, 'a deleted network gives its VLAN id back');
    await openstackOk(cloud.admin, ['network', 'delete', 'provider-vlan-101']);
  });

  test('subnet pools: create, list, show, a subnet that takes its prefix from the pool, delete', async () => {
    const pool = await openstackJson<Row>(cloud.admin, ['subnet', 'pool', 'create', '--pool-prefix', '10.128.0.0/16', '--default-prefix-length', '26', '--tag', 'blue', 'pool1']);
    assert.deepEqual([pool['prefixes'], pool['default_prefixlen'], pool['ip_version'], pool['tags']], [['10.128.0.0/16'], 26, 4, ['blue']]);
    assert.ok((await openstackJson<Row[]>(cloud.admin, ['subnet', 'pool', 'list'])).some((row) => row['Name'] === 'pool1'));
    assert.equal((await openstackJson<Row>(cloud.admin, ['subnet', 'pool', 'show', 'pool1']))['id'], pool['id']);
    const subnet = await openstackJson<Row>(cloud.admin, ['subnet', 'create', '--network', 'private', '--subnet-pool', 'pool1', '--prefix-length', '27', 'from-pool']);
    assert.deepEqual([subnet['cidr'], subnet['subnetpool_id']], ['10.128.0.0/27', pool['id']]);
    const inUse = await openstack(cloud.admin, ['subnet', 'pool', 'delete', 'pool1']);
    assert.notEqual(inUse.code, 0);
    assert.match(inUse.stderr, /existing allocations/);
    await openstackOk(cloud.admin, ['subnet', 'delete', 'from-pool']);
    await openstackOk(cloud.admin, ['subnet', 'pool', 'delete', 'pool1']);
    assert.notEqual((await openstack(cloud.admin, ['subnet', 'pool', 'show', 'pool1'])).code, 0);
  });

  test('deleting everything in order leaves no port behind', async () => {
    await openstackOk(cloud.admin, ['port', 'delete', 'p1']);
    await openstackOk(cloud.admin, ['security', 'group', 'delete', 'web']);
    await openstackOk(cloud.admin, ['router', 'remove', 'subnet', 'router1', 'private-subnet']);
    await openstackOk(cloud.admin, ['router', 'delete', 'router1']);
    await openstackOk(cloud.admin, ['network', 'delete', 'private', 'public']);
    assert.deepEqual(await openstackJson<unknown[]>(cloud.admin, ['port', 'list']), []);
    assert.deepEqual(await openstackJson<unknown[]>(cloud.admin, ['network', 'list']), []);
  });
});
