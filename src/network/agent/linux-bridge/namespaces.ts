/** Network namespaces (`qdhcp-…`, `qrouter-…`) and what runs inside them. */
import { readdir } from 'node:fs/promises';
import { exists } from './files.js';
import { ip, run, tryRun } from './exec.js';

const NETNS_DIR = '/run/netns';

export const namespaceExists = (name: string): Promise<boolean> => exists(`${NETNS_DIR}/${name}`);

/** The namespace with its loopback up. */
export async function ensureNamespace(name: string): Promise<void> {
  if (!(await namespaceExists(name))) await ip('netns', 'add', name);
  await ip('-n', name, 'link', 'set', 'dev', 'lo', 'up');
}

/** Deleting a namespace deletes the veth pairs with an end in it. */
export async function deleteNamespace(name: string): Promise<void> {
  await tryRun('ip', ['netns', 'delete', name]);
}

export async function namespacesNamed(prefix: string): Promise<string[]> {
  return (await readdir(NETNS_DIR).catch(() => [])).filter((name) => name.startsWith(prefix));
}

/** Sets a sysctl of the namespace (IP forwarding lives only inside a router's namespace). */
export async function namespaceSysctl(namespace: string, key: string, value: string): Promise<void> {
  await run('sysctl', ['-q', '-w', `${key}=${value}`], { namespace });
}

/** The addresses (with prefix length) a device in the namespace holds. */
export async function deviceAddresses(namespace: string, device: string, scope: 'global' | 'link' = 'global'): Promise<string[]> {
  const out = await ip('-n', namespace, '-j', 'addr', 'show', 'dev', device);
  const parsed = JSON.parse(out) as { addr_info?: { local: string; prefixlen: number; scope: string }[] }[];
  return (parsed[0]?.addr_info ?? []).filter((a) => a.scope === scope).map((a) => `${a.local}/${a.prefixlen}`);
}

/**
 * Makes the device's global addresses exactly `wanted` (`address/prefix`). Of its link-local
 * addresses, only those in `managedLinkLocal` (the metadata address) are added or removed as
 * `wanted` says: the kernel's own stays.
 */
export async function setDeviceAddresses(namespace: string, device: string, wanted: readonly string[], managedLinkLocal: readonly string[] = []): Promise<void> {
  const global = await deviceAddresses(namespace, device);
  const linkLocal = managedLinkLocal.length === 0 ? [] : (await deviceAddresses(namespace, device, 'link')).filter((address) => managedLinkLocal.includes(address));
  const present = [...global, ...linkLocal];
  for (const address of present) if (!wanted.includes(address)) await ip('-n', namespace, 'addr', 'del', address, 'dev', device);
  for (const address of wanted) {
    // An IPv6 address is usable at once: duplicate detection on a bridge of our own only delays it.
    if (!present.includes(address)) await ip('-n', namespace, 'addr', 'add', address, 'dev', device, ...(address.includes(':') ? ['nodad'] : []));
  }
}
