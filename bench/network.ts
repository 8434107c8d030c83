/**
 * Network data path figures on real kernel objects (root only), as JSON:
 * - security-group update → rules in force: the time syncSecurityGroup takes to rewrite the
 *   chains of the group's ports in one `nft -f` transaction, with 1,000 rules on the host
 *   (10 groups of 100 rules, 4 ports each), p50 of 20; and a port joining a remote group (its
 *   chains plus the member sets).
 * - TCP throughput (iperf3, 3 s) between two guest namespaces through bridge + security groups,
 *   as a ratio to the same between two namespaces joined by a plain veth pair.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { configureLogging } from '../src/common/logging/logger.js';
import { findExecutable } from '../src/common/process/find-executable.js';
import type { SecurityGroupRuleSpec, SecurityGroupSpec } from '../src/network/agent/datapath-spec.js';
import { ip, run, tryRun } from '../src/network/agent/linux-bridge/exec.js';
import { guestNamespace, type GuestNamespace } from '../src/network/agent/linux-bridge/testing/guest-namespace.js';
import { linuxBridgeSkip, linuxHarness, type LinuxHarness } from '../src/network/agent/linux-bridge/testing/linux-harness.js';
import { defaultGroupFixture, networkFixture, portFixture, ruleFixture } from '../src/network/agent/testing/datapath-fixtures.js';

const GROUPS = 10;
const RULES_PER_GROUP = 100;
const PORTS_PER_GROUP = 4;
const SAMPLES = 20;
const IPERF_SECONDS = 3;

const p50 = (samples: readonly number[]): number => Math.round(([...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0) * 100) / 100;

async function timed(operation: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await operation();
  return performance.now() - started;
}

function manyRules(count: number): SecurityGroupRuleSpec[] {
  return Array.from({ length: count }, (_, i) =>
    ruleFixture('ingress', { protocol: i % 2 === 0 ? 'tcp' : 'udp', port_range_min: 1000 + i, port_range_max: 1000 + i, remote_ip_prefix: `198.51.${i % 256}.0/24` }),
  );
}

async function securityGroupFigures(harness: LinuxHarness) {
  const { datapath } = harness;
  const network = networkFixture('10.210.0', { dhcp: false });
  await datapath.ensureNetwork(network.spec);
  const groups: SecurityGroupSpec[] = Array.from({ length: GROUPS }, () => ({ id: randomUUID(), rules: [ruleFixture('egress'), ...manyRules(RULES_PER_GROUP - 1)] }));
  for (const group of groups) await datapath.syncSecurityGroup(group);
  const remote = defaultGroupFixture();
  await datapath.syncSecurityGroup(remote);
  const ports = groups.flatMap((group, g) => Array.from({ length: PORTS_PER_GROUP }, (_, p) => portFixture(network, 10 + g * PORTS_PER_GROUP + p, { security_groups: [group.id] })));
  for (const port of ports) await datapath.plugPort(port);
  const target = groups[0] as SecurityGroupSpec;
  const updates: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const rules = [...target.rules, ruleFixture('ingress', { protocol: 'icmp', remote_ip_prefix: `203.0.113.${i}/32` })];
    updates.push(await timed(() => datapath.syncSecurityGroup({ ...target, rules })));
  }
  const joins: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const port = ports[i % ports.length]!;
    const joined = i % 2 === 0 ? [...port.security_groups, remote.id] : port.security_groups;
    joins.push(await timed(() => datapath.updatePortSecurity({ ...port, security_groups: joined })));
  }
  const ruleCount = (await run('nft', ['list', 'table', 'inet', harness.table])).split('\n').filter((line) => line.includes(' return')).length;
  for (const port of ports) await datapath.unplugPort(port.id);
  await datapath.deleteNetwork(network.spec.id);
  return {
    security_group_rules: groups.reduce((sum, group) => sum + group.rules.length, 0),
    secured_ports: ports.length,
    nftables_rules_in_port_chains: ruleCount,
    group_update_to_rules_in_force_p50_ms: p50(updates),
    group_update_samples_ms: updates.map((ms) => Math.round(ms * 10) / 10),
    port_joins_remote_group_p50_ms: p50(joins),
  };
}

/** iperf3 from `client` to `server` at `address`; bits per second received. */
async function iperf(server: string, client: string, address: string): Promise<number> {
  const listener = spawn('ip', ['netns', 'exec', server, 'iperf3', '-s', '-1', '-B', address], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let output = '';
    listener.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    for (let waited = 0; !output.includes('Server listening') && waited < 5000; waited += 50) await sleep(50);
    const report = JSON.parse(await run('iperf3', ['-c', address, '-t', String(IPERF_SECONDS), '-J'], { namespace: client })) as { end: { sum_received: { bits_per_second: number } } };
    return report.end.sum_received.bits_per_second;
  } finally {
    if (listener.exitCode === null) {
      const exited = once(listener, 'exit');
      listener.kill('SIGTERM');
      await exited;
    }
  }
}

async function plainVethBitsPerSecond(): Promise<number> {
  const tag = randomBytes(4).toString('hex');
  const [left, right] = [`nbv-l${tag}`, `nbv-r${tag}`];
  try {
    await ip('netns', 'add', left);
    await ip('netns', 'add', right);
    await ip('-n', left, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', right);
    for (const [namespace, address] of [[left, '10.211.0.1/24'], [right, '10.211.0.2/24']] as const) {
      await ip('-n', namespace, 'addr', 'add', address, 'dev', 'eth0');
      await ip('-n', namespace, 'link', 'set', 'dev', 'eth0', 'up');
      await ip('-n', namespace, 'link', 'set', 'dev', 'lo', 'up');
    }
    return await iperf(right, left, '10.211.0.2');
  } finally {
    await tryRun('ip', ['netns', 'delete', left]);
    await tryRun('ip', ['netns', 'delete', right]);
  }
}

async function datapathBitsPerSecond(harness: LinuxHarness): Promise<number> {
  const { datapath } = harness;
  const network = networkFixture('10.212.0', { dhcp: false });
  await datapath.ensureNetwork(network.spec);
  const group = { id: randomUUID(), rules: [ruleFixture('egress'), ruleFixture('ingress', { protocol: 'tcp', port_range_min: 5201, port_range_max: 5201 })] };
  await datapath.syncSecurityGroup(group);
  const guests: GuestNamespace[] = [];
  try {
    const ports = [portFixture(network, 10, { security_groups: [group.id] }), portFixture(network, 11, { security_groups: [group.id] })];
    for (const [i, port] of ports.entries()) {
      const guest = await guestNamespace(port);
      guests.push(guest);
      await datapath.plugPort(port);
      await guest.setAddress(`10.212.0.${10 + i}/24`);
    }
    const [client, server] = guests as [GuestNamespace, GuestNamespace];
    return await iperf(server.namespace, client.namespace, '10.212.0.11');
  } finally {
    for (const guest of guests) await guest.dispose();
  }
}

async function main(): Promise<void> {
  configureLogging({ debug: false, sink: () => undefined });
  const skip = await linuxBridgeSkip();
  if (skip !== false) {
    process.stdout.write(`${JSON.stringify({ bench: 'network', skipped: skip })}\n`);
    return;
  }
  const harness = await linuxHarness();
  try {
    const securityGroups = await securityGroupFigures(harness);
    let throughput: Record<string, number | string>;
    if (findExecutable('iperf3') === undefined) throughput = { skipped: 'iperf3 is not installed (Debian package iperf3)' };
    else {
      const plain = await plainVethBitsPerSecond();
      const bridged = await datapathBitsPerSecond(harness);
      throughput = { plain_veth_gbps: Math.round(plain / 1e7) / 100, bridge_and_security_groups_gbps: Math.round(bridged / 1e7) / 100, ratio: Math.round((bridged / plain) * 1000) / 1000 };
    }
    process.stdout.write(`${JSON.stringify({ bench: 'network', load_average_1m: loadavg()[0], security_groups: securityGroups, tcp_throughput: throughput }, null, 2)}\n`);
  } finally {
    await harness.dispose();
  }
}

await main();
