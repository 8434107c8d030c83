import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { bridgeName, dhcpNamespace, routerNamespace, tapName } from '../../src/network/agent/device-names.js';
import { guestNamespace, type GuestNamespace } from '../../src/network/agent/linux-bridge/testing/guest-namespace.js';
import { linuxBridgeSkip } from '../../src/network/agent/linux-bridge/testing/linux-harness.js';
import { cliPersonas } from '../support/compute-cloud.js';
import { freePort } from '../support/free-port.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';
import { issuePasswordToken } from '../support/password-token.js';
import { externalBridgeName } from '../../src/cli/presets/network-datapaths.js';

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

/** A token of the cloud's bootstrapped admin. */
async function adminToken(port: number, stateDir: string): Promise<string> {
  return (await issuePasswordToken(`http://127.0.0.1:${port}`, cliPersonas(stateDir).admin)).token;
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
    token = await adminToken(port, stateDir);
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
    await run('ip', ['link', 'del', 'dev', externalBridgeName(stateDir)]).catch(() => undefined);
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
      const leased = await guest.dhcp().catch(async (error: unknown) => {
        const hosts = await readFile(join(stateDir, 'network', 'dhcp', networkId, 'host'), 'utf8').catch(() => 'none');
        const links = (await run('bridge', ['link'])).stdout + (await readFile(join(stateDir, 'network', 'dhcp', networkId, 'log'), 'utf8').catch(() => 'no log')) + (await run('ps', ['-eo', 'pid,args'])).stdout.split('\n').filter((line) => line.includes('dnsmasq')).join('\n');
        throw new Error(`${String(error)}\nhosts file:\n${hosts}\nbridge ports:\n${links}\n${nimbus.output().split('\n').filter((line) => !line.includes(' DEBUG ')).slice(-30).join('\n')}`);
      });
      assert.equal(leased, fixed);
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

describe('the network agent without CAP_NET_ADMIN', { skip }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-network-noadmin-'));
  let nimbus: NimbusProcess;
  let port = 0;
  let token = '';

  before(async () => {
    port = await freePort();
    // Root, but without the capability: as a user who did not start the cloud as root.
    nimbus = runNimbus(['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'fake', '--datapath', 'linux-bridge'], {}, { wrapper: ['setpriv', '--bounding-set=-net_admin', '--inh-caps=-net_admin', '--'] });
    await nimbus.waitFor(/Nimbus all-in-one cloud is running/, 120_000);
    token = await adminToken(port, stateDir);
  });
  after(async () => {
    nimbus.child.kill('SIGTERM');
    await nimbus.exited();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const api = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const response = await fetch(`http://127.0.0.1:${port}/network/v2.0${path}`, {
      method,
      headers: { 'x-auth-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await response.json()) as Json;
  };

  test('the agent reports itself down with the one reason, the API answers, and a port bound to its host fails to bind', async () => {
    const listed = (await api('GET', '/agents'))['agents'] as Json[];
    assert.ok(listed.length >= 2);
    for (const agent of listed) {
      assert.equal(agent['alive'], false, `${String(agent['agent_type'])} on ${String(agent['host'])}`);
      assert.match(String((agent['configurations'] as Json)['down_reason']), /CAP_NET_ADMIN/);
    }
    assert.equal(nimbus.output().split('\n').filter((line) => line.includes(' ERROR ') && line.includes('CAP_NET_ADMIN')).length, 1, 'logged once');
    const network = (await api('POST', '/networks', { network: { name: 'n' } }))['network'] as Json;
    await api('POST', '/subnets', { subnet: { network_id: network['id'], ip_version: 4, cidr: '10.79.0.0/24' } });
    const bound = (await api('POST', '/ports', { port: { network_id: network['id'], 'binding:host_id': 'compute-1' } }))['port'] as Json;
    assert.equal(bound['binding:vif_type'], 'binding_failed');
    assert.equal(bound['status'], 'DOWN');
    assert.match(nimbus.output(), /Binding a port to host compute-1 failed: the network agent on host compute-1 is down: the network agent lacks CAP_NET_ADMIN/);
    assert.equal(await linkExists(bridgeName(String(network['id']))), false, 'nothing is half-wired');
  });
});

/** Kernel objects and daemons of one cloud's data path still there, named (empty: nothing left). */
async function leftovers(wired: { readonly networks: readonly string[]; readonly routers: readonly string[]; readonly nftTable: string; readonly datapathDir: string; readonly stateDir: string }): Promise<string[]> {
  const present = await namespaces();
  const left = [...wired.networks.map(dhcpNamespace), ...wired.routers.map(routerNamespace)].filter((name) => present.includes(name));
  for (const bridge of [...wired.networks.map(bridgeName), externalBridgeName(wired.stateDir)]) if (await linkExists(bridge)) left.push(bridge);
  left.push(...(await nftTables()).split('\n').filter((line) => line.endsWith(` ${wired.nftTable}`)));
  left.push(...(await daemonsIn(wired.datapathDir)).map(({ pid, args }) => `${pid} ${args}`));
  return left;
}

/** dnsmasq and haproxy processes (not yet reaped ones) whose command line names a file under `dir`. */
async function daemonsIn(dir: string): Promise<{ pid: number; args: string }[]> {
  const lines = (await run('ps', ['-eo', 'pid=,stat=,args='])).stdout.split('\n');
  return lines.flatMap((line) => {
    const [pid = '', stat = '', ...args] = line.trim().split(/\s+/);
    return stat.startsWith('Z') || !args.join(' ').includes(dir) ? [] : [{ pid: Number(pid), args: args.join(' ') }];
  });
}

describe('nimbus up stopped by signals to its whole process group, twice and more (Ctrl-C, timeout)', { skip }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-network-stop-'));
  // Its own, so that what is left is this cloud's: dnsmasq reads its files as nobody.
  const datapathDir = mkdtempSync(join(tmpdir(), 'nimbus-network-stop-datapath-'));
  chmodSync(datapathDir, 0o755);
  const nftTable = `nimbus_stop_${process.pid}`;
  const wired = { networks: [] as string[], routers: [] as string[], nftTable, datapathDir, stateDir };
  let nimbus: NimbusProcess | undefined;

  after(async () => {
    if (nimbus !== undefined && nimbus.child.exitCode === null && nimbus.child.signalCode === null) {
      nimbus.child.kill('SIGKILL');
      await nimbus.exited();
    }
    // What a failed stop left, by the names this cloud gave it (its log names them, should the test have failed before it knew them).
    const logged = (pattern: RegExp) => [...(nimbus?.output() ?? '').matchAll(pattern)].map((match) => match[1] ?? '');
    const networks = new Set([...wired.networks, ...logged(/Wired network ([0-9a-f-]{36})/g)]);
    const routers = new Set([...wired.routers, ...logged(/qrouter-([0-9a-f-]{36})/g)]);
    for (const { pid } of await daemonsIn(datapathDir)) process.kill(pid, 'SIGKILL');
    for (const name of [...[...networks].map(dhcpNamespace), ...[...routers].map(routerNamespace)]) await run('ip', ['netns', 'delete', name]).catch(() => undefined);
    for (const bridge of [...[...networks].map(bridgeName), externalBridgeName(stateDir)]) await run('ip', ['link', 'del', 'dev', bridge]).catch(() => undefined);
    for (const family of ['bridge', 'inet']) await run('nft', ['delete', 'table', family, nftTable]).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(datapathDir, { recursive: true, force: true });
  });

  test('leaves no namespace, bridge, dnsmasq, haproxy or nftables table', async () => {
    const port = await freePort();
    // Node leads a process group of its own, as under a terminal or `timeout`.
    const cloud = runNimbus(['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'fake', '--datapath', 'linux-bridge'], { NIMBUS_NETWORK_NFT_TABLE: nftTable, NIMBUS_NETWORK_DATAPATH_STATE_DIR: datapathDir }, { wrapper: ['setsid'] });
    nimbus = cloud;
    await cloud.waitFor(/Nimbus all-in-one cloud is running/, 120_000);
    // DevStack's topology, which up lays: the private network's DHCP and router1 with its gateway on public.
    const token = await adminToken(port, stateDir);
    const list = async (path: string, key: string) => {
      const response = await fetch(`http://127.0.0.1:${port}/network/v2.0${path}`, { headers: { 'x-auth-token': token } });
      return ((await response.json()) as Record<string, Json[]>)[key] ?? [];
    };
    wired.networks.push(...(await list('/networks', 'networks')).map((network) => String(network['id'])));
    wired.routers.push(...(await list('/routers', 'routers')).map((router) => String(router['id'])));
    assert.equal(wired.networks.length, 2);
    assert.equal(wired.routers.length, 1);
    // Two namespaces, two bridges (private's brq, public's on the all-in-one's external bridge), both nftables tables, dnsmasq and the router's metadata proxy.
    await until('the data path wired', async () => ((await leftovers(wired)).length === 8 ? true : undefined));

    // SIGTERM to node and then to its group, as `timeout` sends it; then Ctrl-C after Ctrl-C to the group while it cleans up.
    const group = cloud.child.pid;
    assert.ok(group !== undefined);
    process.kill(group, 'SIGTERM');
    process.kill(-group, 'SIGTERM');
    const stopped = /INFO nimbus\.cli \[-\] Stopped/;
    let exited = false;
    const pressing = (async () => {
      for (;;) {
        await sleep(100);
        if (exited || stopped.test(cloud.output())) return;
        try {
          process.kill(-group, 'SIGINT');
        } catch {
          return; // the group has ended
        }
      }
    })();
    const code = await cloud.exited();
    exited = true;
    await pressing;
    // Node gives its signal handlers back as it exits: a Ctrl-C into that moment ends it by SIGINT, its clean-up done.
    assert.ok(code === 0 || (code === 'SIGINT' && stopped.test(cloud.output())), `exit ${code}\n${cloud.output()}`);
    assert.match(cloud.output(), /Caught SIGTERM, stopping/);
    assert.match(cloud.output(), stopped);
    assert.deepEqual(await leftovers(wired), []);
  });
});
