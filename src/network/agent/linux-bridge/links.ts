/**
 * Bridges, taps and veth pairs in the host's namespace. A bridge carries no address of its own
 * (IPv6 is switched off on it, so it takes no link-local address nor a guest's router
 * advertisement): guest traffic stays between its ports and never reaches the host's stack.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exists } from './files.js';
import { addTap } from '../../../common/host-net/taps.js';
import { ip, tryRun } from './exec.js';

const SYS_NET = '/sys/class/net';

export const linkExists = (name: string): Promise<boolean> => exists(join(SYS_NET, name));

export async function ensureBridge(name: string, mtu: number): Promise<void> {
  if (!(await linkExists(name))) await ip('link', 'add', 'name', name, 'type', 'bridge');
  await writeFile(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`, '1');
  await ip('link', 'set', 'dev', name, 'mtu', String(mtu), 'up');
}

export async function deleteLink(name: string): Promise<void> {
  await tryRun('ip', ['link', 'del', 'dev', name]);
}

/** The names of the devices enslaved to a bridge. */
export async function bridgePorts(bridge: string): Promise<string[]> {
  return readdir(join(SYS_NET, bridge, 'brif')).catch(() => []);
}

/** Puts an existing device on the bridge, with the bridge's MTU, up. */
export async function attach(device: string, bridge: string, mtu: number): Promise<void> {
  await ip('link', 'set', 'dev', device, 'mtu', String(mtu), 'master', bridge, 'up');
}

/** A tap of that name; true when made here (false: it existed, e.g. QEMU's driver made it). */
export async function ensureTap(name: string): Promise<boolean> {
  return !(await linkExists(name)) && (await addTap(name));
}

/**
 * A veth pair: `rootEnd` stays in the host's namespace (a bridge port), `namespaceEnd` goes into
 * `namespace` with the given MAC. Made only where the root end is missing.
 */
export async function ensureVethPair(rootEnd: string, namespaceEnd: string, namespace: string, mac: string, mtu: number): Promise<void> {
  if (await linkExists(rootEnd)) return;
  await ip('link', 'add', rootEnd, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', namespaceEnd, 'mtu', String(mtu), 'address', mac, 'netns', namespace);
}

/** All devices whose names start with the prefix. */
export async function linksNamed(prefix: string): Promise<string[]> {
  return (await readdir(SYS_NET)).filter((name) => name.startsWith(prefix));
}
