/**
 * Several "hosts" on one machine for data path tests: each a network namespace running its own
 * Linux bridge data path (namespaced-datapath.ts), joined by one veth pair whose ends are named
 * `wire` (the underlay, or the physical network a mapping names). Guests are namespaces on a
 * host's tap. Nothing touches the machine's own interfaces, and `dispose` removes every
 * namespace and file, whatever happened.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PortSpec } from '../../datapath-spec.js';
import { tapName } from '../../device-names.js';
import { ip, run, tryRun } from '../exec.js';
import type { LinuxBridgeOptions } from '../linux-bridge-datapath.js';
import { namespacedDatapath, type NamespacedDatapath } from './namespaced-datapath.js';

/** The veth end in each host namespace that joins the hosts. */
export const WIRE = 'wire';

export interface TestHost {
  readonly namespace: string;
  /** The host's address on the wire (a /24 the run picked). */
  readonly wireIp: string;
  readonly datapath: NamespacedDatapath;
}

export interface TestGuest {
  readonly namespace: string;
  readonly address: string;
}

export interface TwoHosts {
  readonly hosts: readonly [TestHost, TestHost];
  /** The wire's /24, as its first three octets. */
  readonly wirePrefix: string;
  /** Runs a command in a host's namespace. */
  inHost(host: TestHost, command: string, args: readonly string[]): Promise<string>;
  /** A guest namespace whose eth0 (the port's MAC and first address, IPv6 off) is the far end of a veth named as the port's tap on the host. */
  addGuest(host: TestHost, port: PortSpec, mtu: number): Promise<TestGuest>;
  dispose(): Promise<void>;
}

/** Two host namespaces on one wire, each with its data path made from `options(wireIp)`; `prefix` starts their names (tests running beside others keep apart by it). */
export async function twoHosts(options: (wireIp: string) => Omit<LinuxBridgeOptions, 'stateDir'>, prefix = 'nbh-'): Promise<TwoHosts> {
  const tag = randomBytes(3).toString('hex');
  const namespaces: string[] = [];
  const hosts: TestHost[] = [];
  const stateDir = await mkdtemp(join(tmpdir(), 'nimbus-hosts-'));
  // dnsmasq reads its files after dropping to nobody.
  await chmod(stateDir, 0o755);
  const wirePrefix = `10.203.${randomInt(1, 250)}`;
  const dispose = async () => {
    for (const host of hosts) await host.datapath.dispose();
    for (const namespace of namespaces.reverse()) await tryRun('ip', ['netns', 'delete', namespace]);
    await rm(stateDir, { recursive: true, force: true });
  };
  try {
    const names = [`${prefix}${tag}a`, `${prefix}${tag}b`];
    for (const namespace of names) {
      await ip('netns', 'add', namespace);
      namespaces.push(namespace);
      // No IPv6 on the hosts' own devices (bridges, VXLAN devices, the wire): their link-local
      // multicast (MLD, router solicitations) would be flooded to every VTEP at random moments,
      // which the tests read as flooding they caused.
      await run('sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'], { namespace });
    }
    await ip('-n', names[0] as string, 'link', 'add', WIRE, 'type', 'veth', 'peer', 'name', WIRE, 'netns', names[1] as string);
    for (const [index, namespace] of names.entries()) {
      const wireIp = `${wirePrefix}.${index + 1}`;
      await ip('-n', namespace, 'addr', 'add', `${wireIp}/24`, 'dev', WIRE);
      await ip('-n', namespace, 'link', 'set', 'dev', WIRE, 'up');
      await ip('-n', namespace, 'link', 'set', 'dev', 'lo', 'up');
      hosts.push({ namespace, wireIp, datapath: namespacedDatapath(namespace, { stateDir: join(stateDir, namespace), ...options(wireIp) }) });
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    hosts: hosts as [TestHost, TestHost],
    wirePrefix,
    inHost: (host, command, args) => run(command, args, { namespace: host.namespace }),
    async addGuest(host, port, mtu) {
      const namespace = `nbg-${randomBytes(5).toString('hex')}`;
      await ip('netns', 'add', namespace);
      namespaces.push(namespace);
      const tap = tapName(port.id);
      const address = port.fixed_ips[0]?.ip_address ?? '';
      await ip('-n', host.namespace, 'link', 'add', tap, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', String(mtu), 'address', port.mac_address, 'netns', namespace);
      await ip('-n', host.namespace, 'link', 'set', 'dev', tap, 'up');
      // No IPv6 chatter (router and neighbour solicitations): the only frames a guest sends are the test's.
      await run('sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'], { namespace });
      await ip('-n', namespace, 'link', 'set', 'dev', 'lo', 'up');
      await ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      await ip('-n', namespace, 'link', 'set', 'dev', 'eth0', 'up');
      return { namespace, address };
    },
    dispose,
  };
}

/** One echo request: whether its reply came within 2 s. */
export const ping = (from: TestGuest, to: TestGuest | string): Promise<boolean> =>
  tryRun('busybox', ['ping', '-c', '1', '-W', '2', typeof to === 'string' ? to : to.address], { namespace: from.namespace });

/** Up to three pings (neighbour resolution may still be settling): whether one was answered. */
export async function reaches(from: TestGuest, to: TestGuest | string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt += 1) if (await ping(from, to)) return true;
  return false;
}
