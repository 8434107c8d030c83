import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { bridgeName, dhcpNamespace, tapName } from '../../src/network/agent/device-names.js';
import { guestNamespace, type GuestNamespace } from '../../src/network/agent/linux-bridge/testing/guest-namespace.js';
import { linuxBridgeSkip } from '../../src/network/agent/linux-bridge/testing/linux-harness.js';
import { cliPersonas } from '../support/compute-cloud.js';
import { freePort } from '../support/free-port.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';

// Issue 14: the network agent of `nimbus up` on real Linux networking, driven through the REST
// API; network namespaces stand in for guests on the ports' taps.
const skip = await linuxBridgeSkip();
const run = promisify(execFile);

type Json = Record<string, unknown>;

async function linkExists(name: string): Promise<boolean> {
  return run('ip', ['link', 'show', 'dev', name]).then(
    () => true,
    () => false,
  );
}

async function namespaces(): Promise<string[]> {
  return (await run('ip', ['netns', 'list'])).stdout.split('\n').map((line) => line.split(' ')[0] ?? '');
}

async function nftTables(): Promise<string> {
  return (await run('nft', ['list', 'tables'])).stdout;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('the network agent on Linux bridges, namespaces, dnsmasq and nftables', { skip }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-network-agent-'));
  const nftTable = `nimbus_agent_${process.pid}`;
  let port = 0;
  let nimbus: NimbusProcess;
  let token = '';
  const guests: GuestNamespace[] = [];
  let networkId = '';
  let groupId = '';
  const ports: Json[] = [];

  const start = async () => {
    nimbus = runNimbus(['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'fake', '--datapath', 'linux-bridge'], { NIMBUS_NETWORK_NFT_TABLE: nftTable });
    await nimbus.waitFor(/Nimbus all-in-one cloud is running/, 120_000);
    const admin = cliPersonas(stateDir).admin;
    const response = await fetch(`http://127.0.0.1:${port}/identity/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: admin['OS_USERNAME'], domain: { name: 'Default' }, password: admin['OS_PASSWORD'] } } },
          scope: { project: { name: admin['OS_PROJECT_NAME'], domain: { name: 'Default' } } },
        },
      }),
    });
    await response.arrayBuffer();
    token = response.headers.get('x-subject-token') ?? '';
  };
  const stop = async () => {
    nimbus.child.kill('SIGTERM');
    await nimbus.exited();
  };
  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> => {
    const response = await fetch(`http://127.0.0.1:${port}/network/v2.0${path}`, {
      method,
      headers: { 'x-auth-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Json) };
  };
  const portOf = async (id: string) => (await api('GET', `/ports/${id}`)).json['port'] as Json;
  const untilActive = (id: string) => until(`port ${id} ACTIVE`, async () => ((await portOf(id))['status'] === 'ACTIVE' ? true : undefined));

  before(async () => {
    port = await freePort();
    await start();
  });
  after(async () => {
    for (const guest of guests) await guest.dispose();
    if (nimbus.child.exitCode === null && nimbus.child.signalCode === null) await stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  test('a port bound to the compute host gets the bridge, DHCP and its tap at once, and goes ACTIVE', async () => {
    const network = await api('POST', '/networks', { network: { name: 'agent-net' } });
    assert.equal(network.status, 201);
    networkId = String((network.json['network'] as Json)['id']);
    const subnet = await api('POST', '/subnets', { subnet: { network_id: networkId, ip_version: 4, cidr: '10.77.0.0/24', name: 'agent-subnet' } });
    assert.equal(subnet.status, 201);
    const group = await api('POST', '/security-groups', { security_group: { name: 'agent-sg' } });
    groupId = String((group.json['security_group'] as Json)['id']);

    const created = await api('POST', '/ports', { port: { network_id: networkId, 'binding:host_id': 'compute-1', device_owner: 'compute:nova', device_id: randomUUID(), security_groups: [groupId] } });
    assert.equal(created.status, 201);
    const bound = created.json['port'] as Json;
    ports.push(bound);
    assert.equal(bound['binding:vif_type'], 'bridge');
    assert.deepEqual(bound['binding:vif_details'], { bridge_name: bridgeName(networkId), connectivity: 'l2', port_filter: true });
    await untilActive(String(bound['id']));
    assert.ok(await linkExists(bridgeName(networkId)), 'the bridge exists');
    assert.ok(await linkExists(tapName(String(bound['id']))), "the agent made the port's tap");
    assert.ok((await namespaces()).includes(dhcpNamespace(networkId)), 'DHCP runs in its namespace');
  });

  test('guests plugged on their ports get their fixed IPs by DHCP', async () => {
    for (const name of ['g1', 'g2']) {
      const created = await api('POST', '/ports', { port: { network_id: networkId, name, security_groups: [groupId] } });
      const view = created.json['port'] as Json;
      ports.push(view);
      // The guest's end exists first, as QEMU's tap would: the agent joins it rather than making one.
      guests.push(await guestNamespace({ id: String(view['id']), mac_address: String(view['mac_address']) }));
      const updated = await api('PUT', `/ports/${String(view['id'])}`, { port: { 'binding:host_id': 'compute-1' } });
      assert.equal((updated.json['port'] as Json)['binding:vif_type'], 'bridge');
      await untilActive(String(view['id']));
    }
    for (const [index, guest] of guests.entries()) {
      const fixed = ((ports[index + 1]?.['fixed_ips'] as Json[])[0] ?? {})['ip_address'];
      assert.equal(await guest.dhcp(), fixed);
    }
  });

  test('security group rules reach the ports in place: ICMP refused, allowed by a new rule, refused again when it goes', async () => {
    const [g1, g2] = guests;
    assert.ok(g1 !== undefined && g2 !== undefined);
    const target = String(((ports[2]?.['fixed_ips'] as Json[])[0] ?? {})['ip_address']);
    assert.equal(await g1.ping(target), false, 'no ingress rule: the ping is dropped');
    const rule = await api('POST', '/security-group-rules', { security_group_rule: { security_group_id: groupId, direction: 'ingress', protocol: 'icmp', ethertype: 'IPv4' } });
    assert.equal(rule.status, 201);
    await until('the ICMP rule in force', async () => ((await g1.ping(target)) ? true : undefined), 20_000);
    await api('DELETE', `/security-group-rules/${String((rule.json['security_group_rule'] as Json)['id'])}`);
    await until('the ICMP rule gone', async () => ((await g1.ping(target)) ? undefined : true), 20_000);
    await api('POST', '/security-group-rules', { security_group_rule: { security_group_id: groupId, direction: 'ingress', protocol: 'icmp', ethertype: 'IPv4' } });
  });

  test('an agent restart resyncs: the stopped node removed its bridges, the new one wires them again and the guests talk', async () => {
    await stop();
    assert.equal(await linkExists(bridgeName(networkId)), false, 'the all-in-one removes what it wired when it stops');
    assert.ok(!(await nftTables()).includes(nftTable), 'and its nftables tables');
    await start();
    const [g1] = guests;
    const target = String(((ports[2]?.['fixed_ips'] as Json[])[0] ?? {})['ip_address']);
    await until('the bridge back', async () => ((await linkExists(bridgeName(networkId))) ? true : undefined));
    await until('the guests talking again', async () => ((await g1?.ping(target)) === true ? true : undefined), 30_000);
    const agents = (await api('GET', '/agents?agent_type=Linux+bridge+agent&host=compute-1')).json['agents'] as Json[];
    assert.equal(agents.length, 1);
    assert.equal(agents[0]?.['alive'], true);
  });

  test('deleting the ports and the network leaves no bridge, tap, namespace or dnsmasq behind', async () => {
    for (const guest of guests.splice(0)) await guest.dispose();
    for (const view of ports) assert.equal((await api('DELETE', `/ports/${String(view['id'])}`)).status, 204);
    assert.equal((await api('DELETE', `/security-groups/${groupId}`)).status, 204);
    assert.equal((await api('DELETE', `/networks/${networkId}`)).status, 204);
    await until('the bridge gone', async () => ((await linkExists(bridgeName(networkId))) ? undefined : true));
    for (const view of ports) assert.equal(await linkExists(tapName(String(view['id']))), false);
    assert.ok(!(await namespaces()).includes(dhcpNamespace(networkId)));
    const dnsmasq = (await run('ps', ['-eo', 'args'])).stdout.split('\n').filter((line) => line.includes('dnsmasq') && line.includes(networkId));
    assert.deepEqual(dnsmasq, []);
    await stop();
    assert.ok(!(await nftTables()).includes(nftTable), 'the stopped node leaves no nftables table');
  });
});
