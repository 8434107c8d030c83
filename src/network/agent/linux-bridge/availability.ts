/**
 * Whether this host can run the Linux bridge data path, with the one reason when it cannot:
 * CAP_NET_ADMIN first (without it nothing can be wired), then the tools, then br_netfilter,
 * which the security groups need (see security/firewall-tables.ts).
 */
import { readFile } from 'node:fs/promises';
import { findExecutable } from '../../../common/process/find-executable.js';
import type { Availability } from '../datapath.js';
import { exists } from './files.js';

const CAP_NET_ADMIN = 12n;
const SBIN = ['/usr/sbin', '/sbin'];
const TOOLS: readonly (readonly [string, string])[] = [
  ['ip', 'iproute2'],
  ['nft', 'nftables'],
  ['dnsmasq', 'dnsmasq-base'],
  ['sysctl', 'procps'],
  ['conntrack', 'conntrack'],
];

/** The metadata proxy in each DHCP namespace. */
const METADATA_TOOL = ['haproxy', 'haproxy'] as const;

async function hasNetAdmin(): Promise<boolean> {
  const status = await readFile('/proc/self/status', 'utf8');
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return effective !== undefined && ((BigInt(`0x${effective}`) >> CAP_NET_ADMIN) & 1n) === 1n;
}

/** `metadata`: the metadata proxies run too, which needs haproxy. */
export async function checkLinuxBridgeAvailable(options: { readonly metadata?: boolean } = {}): Promise<Availability> {
  if (!(await hasNetAdmin())) return { available: false, reason: 'the network agent lacks CAP_NET_ADMIN (run it as root) and cannot create bridges, namespaces or nftables rules' };
  for (const [tool, debianPackage] of options.metadata === true ? [...TOOLS, METADATA_TOOL] : TOOLS) {
    if (findExecutable(tool, SBIN) === undefined) return { available: false, reason: `\`${tool}\` is not installed (Debian package ${debianPackage})` };
  }
  if (!(await exists('/proc/sys/net/bridge/bridge-nf-call-iptables'))) {
    return { available: false, reason: 'the kernel has no br_netfilter (modprobe br_netfilter): security groups cannot see bridged traffic' };
  }
  return { available: true };
}
