/**
 * Nova's views/addresses.py over common.get_networks_for_instance: a server's addresses by
 * network label, each network's fixed IPs first, then its floating IPs. Server bodies show the
 * extended form (`OS-EXT-IPS:type`, `OS-EXT-IPS-MAC:mac_addr`), /servers/{id}/ips the basic one.
 */
import type { NetworkInfo } from '../../network/network-info.js';

interface AddressEntry {
  readonly version: 4 | 6;
  readonly address: string;
  readonly type: 'fixed' | 'floating';
  readonly mac: string;
}

// Each shape written out whole: a literal is one fast object, a spread of the basic one is not (a page of 100 servers renders hundreds).
function render(entry: AddressEntry, extended: boolean): Record<string, unknown> {
  return extended
    ? { version: entry.version, addr: entry.address, 'OS-EXT-IPS:type': entry.type, 'OS-EXT-IPS-MAC:mac_addr': entry.mac }
    : { version: entry.version, addr: entry.address };
}

/** The addresses of each network the server is on, in the order of its ports. */
export function renderAddresses(info: NetworkInfo, extended: boolean): Record<string, Record<string, unknown>[]> {
  const networks = new Map<string, { fixed: AddressEntry[]; floating: AddressEntry[] }>();
  for (const vif of info) {
    const network = networks.get(vif.networkLabel) ?? { fixed: [], floating: [] };
    networks.set(vif.networkLabel, network);
    for (const ip of vif.fixedIps) {
      network.fixed.push({ version: ip.version, address: ip.address, type: 'fixed', mac: vif.address });
      for (const floating of ip.floatingIps) network.floating.push({ version: 4, address: floating, type: 'floating', mac: vif.address });
    }
  }
  return Object.fromEntries([...networks].map(([label, { fixed, floating }]) => [label, [...fixed, ...floating].map((entry) => render(entry, extended))]));
}
