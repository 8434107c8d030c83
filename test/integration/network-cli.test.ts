import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../support/free-port.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, parseOpenrc, type OpenstackEnv } from '../support/openstack-cli.js';

// Issue 14's API side, driven through Debian's python3-openstackclient against `nimbus up`.
const skip = openstackCliUnavailable();

type Row = Record<string, unknown>;

describe('networking through the openstack CLI', { skip }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-network-cli-'));
  let nimbus: NimbusProcess;
  let admin: OpenstackEnv;

  before(async () => {
    const port = await freePort();
    nimbus = runNimbus(['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'fake']);
    await nimbus.waitFor(/Nimbus all-in-one cloud is running/);
    admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
  });
  after(async () => {
    nimbus.child.kill('SIGTERM');
    await nimbus.exited();
    rmSync(stateDir, { recursive: true, force: true });
  });

  test("a fresh up lays DevStack's topology: public (external, flat) and private networks, their subnets, router1 joining them", async () => {
    const names = (await openstackJson<Row[]>(admin, ['network', 'list'])).map((row) => row['Name']);
    assert.deepEqual([...names].sort(), ['private', 'public']);
    const external = await openstackJson<Row>(admin, ['network', 'show', 'public']);
    assert.equal(external['router:external'], true);
    assert.equal(external['shared'], false);
    assert.equal(external['provider:network_type'], 'flat');
    const publicSubnet = await openstackJson<Row>(admin, ['subnet', 'show', 'public-subnet']);
    assert.equal(publicSubnet['cidr'], '172.24.4.0/24');
    assert.equal(publicSubnet['gateway_ip'], '172.24.4.1');
    assert.equal(publicSubnet['enable_dhcp'], false);
    const privateSubnet = await openstackJson<Row>(admin, ['subnet', 'show', 'private-subnet']);
    assert.equal(privateSubnet['cidr'], '10.0.0.0/26');
    assert.equal(privateSubnet['gateway_ip'], '10.0.0.1');
    const demoProject = await openstackJson<Row>(admin, ['project', 'show', 'demo']);
    assert.equal((await openstackJson<Row>(admin, ['network', 'show', 'private']))['project_id'], demoProject['id']);
    assert.deepEqual((await openstackJson<Row[]>(admin, ['router', 'list'])).map((row) => row['Name']), ['router1']);
    const router = await openstackJson<Row>(admin, ['router', 'show', 'router1']);
    assert.equal((router['external_gateway_info'] as Row)['network_id'], external['id']);
    assert.equal(router['project_id'], demoProject['id']);
    const interfaces = await openstackJson<Row[]>(admin, ['port', 'list', '--router', 'router1', '--device-owner', 'network:router_interface']);
    assert.equal(interfaces.length, 1);
    assert.match(JSON.stringify(interfaces[0]?.['Fixed IP Addresses']), /10\.0\.0\.1'?"?/);
  });

  test('the network agent is listed alive: Linux bridge, DHCP and L3 agents of the node', async () => {
    const agents = await openstackJson<Row[]>(admin, ['network', 'agent', 'list']);
    const types = new Set(agents.map((row) => row['Agent Type']));
    assert.deepEqual([...types].sort(), ['DHCP agent', 'L3 agent', 'Linux bridge agent']);
    for (const agent of agents) assert.equal(agent['Alive'], true, `${String(agent['Agent Type'])} on ${String(agent['Host'])} is alive`);
    assert.ok(agents.some((row) => row['Host'] === 'compute-1' && row['Agent Type'] === 'Linux bridge agent'), 'the compute host has its agent');
  });

  test('ports, security groups and a floating IP: create, list, show, set, delete', async () => {
    const port = await openstackJson<Row>(admin, ['port', 'create', '--network', 'private', '--fixed-ip', 'subnet=private-subnet,ip-address=10.0.0.20', 'p1']);
    assert.deepEqual((port['fixed_ips'] as Row[]).map((ip) => ip['ip_address']), ['10.0.0.20']);
    assert.equal(port['status'], 'DOWN');
    await openstackOk(admin, ['security', 'group', 'create', 'web']);
    const rule = await openstackJson<Row>(admin, ['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '22', 'web']);
    assert.equal(rule['port_range_min'], 22);
    await openstackOk(admin, ['port', 'set', '--security-group', 'web', 'p1']);
    const floating = await openstackJson<Row>(admin, ['floating', 'ip', 'create', '--port', 'p1', 'public']);
    assert.match(String(floating['floating_ip_address']), /^172\.24\.4\.\d+$/);
    assert.equal(floating['fixed_ip_address'], '10.0.0.20');
    await openstackOk(admin, ['floating', 'ip', 'unset', '--port', String(floating['id'])]);
    await openstackOk(admin, ['floating', 'ip', 'delete', String(floating['id'])]);
    const quota = await openstackJson<Row>(admin, ['quota', 'show']);
    assert.equal(quota['networks'], 100, 'quota show includes the network figures');
    await openstackOk(admin, ['network', 'set', '--name', 'renamed', '--description', 'd', 'private']);
    assert.equal((await openstackJson<Row>(admin, ['network', 'show', 'renamed']))['description'], 'd');
    await openstackOk(admin, ['network', 'set', '--name', 'private', 'renamed']);
  });

  test("bad inputs get Neutron's faults and change nothing", async () => {
    const overlap = await openstack(admin, ['subnet', 'create', '--network', 'private', '--subnet-range', '10.0.0.32/27', 'bad']);
    assert.notEqual(overlap.code, 0);
    assert.match(overlap.stderr, /400.*overlaps with another subnet/);
    const outside = await openstack(admin, ['port', 'create', '--network', 'private', '--fixed-ip', 'subnet=private-subnet,ip-address=10.9.9.9', 'bad']);
    assert.match(outside.stderr, /400.*is not a valid IP for the specified subnet/);
    const taken = await openstack(admin, ['port', 'create', '--network', 'private', '--fixed-ip', 'subnet=private-subnet,ip-address=10.0.0.20', 'bad']);
    assert.match(taken.stderr, /409/);
    const protocol = await openstack(admin, ['security', 'group', 'rule', 'create', '--protocol', 'bogus', 'web']);
    assert.match(protocol.stderr, /400.*protocol bogus not supported/);
    const notExternal = await openstack(admin, ['floating', 'ip', 'create', 'private']);
    assert.match(notExternal.stderr, /400.*not a valid external network/);
    const inUse = await openstack(admin, ['network', 'delete', 'private']);
    assert.match(inUse.stderr, /409.*ports still in use/);
    const groupInUse = await openstack(admin, ['security', 'group', 'delete', 'web']);
    assert.match(groupInUse.stderr, /409|in use/);
    const second = await openstack(admin, ['router', 'add', 'subnet', 'router1', 'private-subnet']);
    assert.match(second.stderr, /400.*already has a port on subnet/);
    const ports = await openstackJson<Row[]>(admin, ['port', 'list', '--network', 'private']);
    assert.equal(ports.length, 3, 'p1, the router interface and the DHCP port, nothing from the refused requests');
  });

  test('deleting everything in order leaves no port behind', async () => {
    await openstackOk(admin, ['port', 'delete', 'p1']);
    await openstackOk(admin, ['security', 'group', 'delete', 'web']);
    await openstackOk(admin, ['router', 'remove', 'subnet', 'router1', 'private-subnet']);
    await openstackOk(admin, ['router', 'delete', 'router1']);
    await openstackOk(admin, ['network', 'delete', 'private', 'public']);
    assert.deepEqual(await openstackJson<unknown[]>(admin, ['port', 'list']), []);
    assert.deepEqual(await openstackJson<unknown[]>(admin, ['network', 'list']), []);
  });
});
