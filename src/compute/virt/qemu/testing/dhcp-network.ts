/**
 * A Linux bridge with a DHCP server on it, for tests: what the network agent will make. dnsmasq
 * runs in a network namespace of its own, reached over a veth pair whose outer end is a bridge
 * port, and hands each MAC its fixed address (Neutron's way). The bridge has no address in the
 * root namespace, so guest traffic stays on it. Names start with `nbt` and a per-process tag.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findExecutable } from '../../../../common/process/find-executable.js';
import { runCommand } from '../../../../common/process/run-command.js';

const SBIN = ['/usr/sbin', '/sbin'];
const DNSMASQ = findExecutable('dnsmasq', SBIN);

/** Why bridge tests are skipped here, or false where they run. */
export const NETWORK_SKIP: string | false =
  process.getuid?.() !== 0
    ? 'needs root (taps, bridges, network namespaces)'
    : findExecutable('ip', SBIN) === undefined
      ? '`ip` is not installed (Debian package iproute2)'
      : DNSMASQ === undefined
        ? 'dnsmasq is not installed (Debian package dnsmasq-base)'
        : false;

/** Interface names are limited to 15 characters: `nbt` + 2 + a 7-digit pid at most. */
export function testDeviceName(role: string): string {
  return `nbt${role}${process.pid}`;
}

export interface DhcpNetwork {
  readonly bridge: string;
  /** The DHCP server's own address, which it also hands out as the router. */
  readonly serverAddress: string;
  /** What dnsmasq logged (DHCP exchanges included). */
  log(): Promise<string>;
  /** Removes the namespace, the veth pair and the bridge, and ends dnsmasq. Safe to call after a half-made set-up. */
  dispose(): Promise<void>;
}

export interface DhcpNetworkOptions {
  /** Where dnsmasq keeps its leases and log. */
  readonly dir: string;
  /** A /24 as its first three octets, e.g. `192.0.2`: the server is `.2`. */
  readonly prefix: string;
  readonly mtu: number;
  /** The fixed addresses by MAC. */
  readonly hosts: readonly { readonly mac: string; readonly address: string }[];
}

async function ip(...args: string[]): Promise<void> {
  await runCommand('ip', args);
}

export async function dhcpNetwork(options: DhcpNetworkOptions): Promise<DhcpNetwork> {
  const bridge = testDeviceName('br');
  const namespace = testDeviceName('ns');
  const inner = testDeviceName('dh');
  const outer = testDeviceName('dp');
  const serverAddress = `${options.prefix}.2`;
  const logFile = join(options.dir, 'dnsmasq.log');
  let dnsmasq: ChildProcess | undefined;
  const network: DhcpNetwork = {
    bridge,
    serverAddress,
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    async dispose() {
      if (dnsmasq !== undefined && dnsmasq.exitCode === null && dnsmasq.signalCode === null) {
        const exited = once(dnsmasq, 'exit');
        dnsmasq.kill('SIGTERM');
        await exited;
      }
      // Deleting the namespace deletes the veth pair with it.
      await ip('netns', 'delete', namespace).catch(() => undefined);
      await ip('link', 'delete', 'dev', bridge).catch(() => undefined);
    },
  };
  try {
    await ip('link', 'add', bridge, 'type', 'bridge');
    await ip('link', 'set', 'dev', bridge, 'mtu', String(options.mtu), 'up');
    await ip('netns', 'add', namespace);
    await ip('link', 'add', inner, 'mtu', String(options.mtu), 'type', 'veth', 'peer', 'name', outer, 'mtu', String(options.mtu));
    await ip('link', 'set', 'dev', inner, 'netns', namespace);
    await ip('link', 'set', 'dev', outer, 'master', bridge, 'up');
    await ip('-n', namespace, 'link', 'set', 'dev', 'lo', 'up');
    await ip('-n', namespace, 'addr', 'add', `${serverAddress}/24`, 'dev', inner);
    await ip('-n', namespace, 'link', 'set', 'dev', inner, 'up');
    dnsmasq = spawn(
      'ip',
      [
        'netns', 'exec', namespace, DNSMASQ ?? 'dnsmasq',
        '--keep-in-foreground', '--no-resolv', '--no-hosts', '--port=0',
        `--interface=${inner}`, '--bind-interfaces', '--except-interface=lo',
        `--pid-file=${join(options.dir, 'dnsmasq.pid')}`,
        `--dhcp-leasefile=${join(options.dir, 'dnsmasq.leases')}`,
        `--dhcp-range=${options.prefix}.0,static,255.255.255.0,1h`,
        ...options.hosts.map((host) => `--dhcp-host=${host.mac},${host.address}`),
        '--log-dhcp', `--log-facility=${logFile}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    dnsmasq.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // dnsmasq logs its DHCP set-up once it listens (`DHCP, static leases only on …`); an error ends it at once.
    const deadline = Date.now() + 10_000;
    while (!(await network.log()).includes('DHCP, ')) {
      if (dnsmasq.exitCode !== null || Date.now() > deadline) throw new Error(`dnsmasq did not start: ${stderr.trim() || `exit ${String(dnsmasq.exitCode)}`}`);
      await sleep(50);
    }
    return network;
  } catch (error) {
    await network.dispose();
    throw error;
  }
}
