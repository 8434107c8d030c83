/**
 * The nftables text for one secured port: its anti-spoofing chain (bridge family, on what the
 * guest sends), its mark chains (which tell the inet chains which port a bridged packet came
 * from and goes to), and its stateful egress and ingress chains (inet family). Pure: a port and
 * its groups in, `nft -f` lines out.
 */
import type { PortSpec, SecurityGroupSpec } from '../../datapath-spec.js';
import { parseCidr } from '../../cidr.js';
import { tapName } from '../../device-names.js';
import { MARK_FROM, MARK_TO } from './firewall-tables.js';
import { ruleMatch } from './rule-expressions.js';

/** A port with security on, and the index its packets carry in the mark (bits 0–15 from it, 16–31 to it). */
export interface SecuredPort {
  readonly spec: PortSpec;
  readonly index: number;
}

const short = (portId: string): string => portId.slice(0, 11);
export const chainNames = (portId: string) => ({
  spoof: `spoof-${short(portId)}`,
  from: `from-${short(portId)}`,
  to: `to-${short(portId)}`,
  egress: `egress-${short(portId)}`,
  ingress: `ingress-${short(portId)}`,
});

export const fromMark = (index: number): string => `0x${index.toString(16).padStart(8, '0')}`;
export const toMark = (index: number): string => `0x${(index * 0x10000).toString(16).padStart(8, '0')}`;

/** The link-local address a guest forms from its MAC (modified EUI-64), which it may always send from. */
export function linkLocalFromMac(mac: string): string {
  const bytes = mac.split(':').map((byte) => parseInt(byte, 16));
  bytes[0] = (bytes[0] ?? 0) ^ 0x02;
  const eui = [...bytes.slice(0, 3), 0xff, 0xfe, ...bytes.slice(3)];
  const groups = [0, 2, 4, 6].map((i) => (((eui[i] ?? 0) << 8) | (eui[i + 1] ?? 0)).toString(16));
  return `fe80::${groups.join(':')}`;
}

/** The (MAC, address or CIDR) pairs a port may send from: its fixed IPs and its allowed address pairs. */
export function sourcePairs(port: PortSpec): { mac: string; address: string; family: 4 | 6 }[] {
  const pairs = [
    ...port.fixed_ips.map((ip) => ({ mac: port.mac_address, address: ip.ip_address })),
    ...port.allowed_address_pairs.map((pair) => ({ mac: pair.mac_address ?? port.mac_address, address: pair.ip_address })),
  ];
  return pairs.map((pair) => ({ ...pair, family: parseCidr(pair.address).family }));
}

function elements(pairs: readonly { mac: string; address: string }[]): string {
  return `{ ${pairs.map((pair) => `${pair.mac} . ${pair.address}`).join(', ')} }`;
}

/** What the guest may send: its MACs; ARP, IPv4 and IPv6 from its own addresses; DHCP requests; nothing that serves DHCP or routes. */
function spoofRules(port: PortSpec): string[] {
  const pairs = sourcePairs(port);
  const macs = [...new Set([port.mac_address, ...pairs.map((pair) => pair.mac)])];
  const v4 = pairs.filter((pair) => pair.family === 4);
  const v6 = [...pairs.filter((pair) => pair.family === 6), { mac: port.mac_address, address: linkLocalFromMac(port.mac_address), family: 6 }];
  const rules = [`ether saddr != { ${macs.join(', ')} } drop`];
  const arpPairs = [...v4, { mac: port.mac_address, address: '0.0.0.0' }];
  rules.push(`meta protocol arp arp saddr ether . arp saddr ip ${elements(arpPairs)} return`, 'meta protocol arp drop');
  rules.push('meta protocol ip udp sport 67 drop', 'meta protocol ip ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 return');
  if (v4.length > 0) rules.push(`meta protocol ip ether saddr . ip saddr ${elements(v4)} return`);
  rules.push('meta protocol ip drop');
  rules.push('meta protocol ip6 icmpv6 type nd-router-advert drop', 'meta protocol ip6 udp sport 547 drop');
  // Duplicate address detection and MLD reports come from the unspecified address.
  rules.push('meta protocol ip6 ip6 saddr :: icmpv6 type { nd-neighbor-solicit, mld2-listener-report } return');
  rules.push(`meta protocol ip6 ether saddr . ip6 saddr ${elements(v6)} return`, 'drop');
  return rules;
}

const EGRESS_ALWAYS = ['udp sport 68 udp dport 67 return', 'icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-report, mld2-listener-report } return'];
const INGRESS_ALWAYS = ['udp sport 67 udp dport 68 return', 'icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-query } return'];

function statefulRules(port: PortSpec, groups: ReadonlyMap<string, SecurityGroupSpec>, direction: 'ingress' | 'egress'): string[] {
  const matches = port.security_groups.flatMap((id) => groups.get(id)?.rules ?? []).filter((rule) => rule.direction === direction).map(ruleMatch);
  const allowed = [...new Set(matches.filter((match): match is string => match !== undefined))];
  return [
    'ct state invalid drop',
    'ct state { established, related } return',
    ...(direction === 'egress' ? EGRESS_ALWAYS : INGRESS_ALWAYS),
    ...allowed.map((match) => `${match} return`),
    'drop',
  ];
}

function chain(family: string, table: string, name: string, rules: readonly string[]): string[] {
  return [`add chain ${family} ${table} ${name}`, `flush chain ${family} ${table} ${name}`, ...rules.map((rule) => `add rule ${family} ${table} ${name} ${rule}`)];
}

/** Writes (or rewrites in place) the port's five chains and its entries in the dispatch maps. */
export function writePort(table: string, secured: SecuredPort, groups: ReadonlyMap<string, SecurityGroupSpec>): string[] {
  const { spec, index } = secured;
  const names = chainNames(spec.id);
  const tap = tapName(spec.id);
  return [
    ...chain('bridge', table, names.spoof, spoofRules(spec)),
    ...chain('bridge', table, names.from, [`meta mark set meta mark and ${MARK_TO} or ${fromMark(index)}`]),
    ...chain('bridge', table, names.to, [`meta mark set meta mark and ${MARK_FROM} or ${toMark(index)}`]),
    ...chain('inet', table, names.egress, statefulRules(spec, groups, 'egress')),
    ...chain('inet', table, names.ingress, statefulRules(spec, groups, 'ingress')),
    `add element bridge ${table} spoof_ports { "${tap}" : jump ${names.spoof} }`,
    `add element bridge ${table} from_ports { "${tap}" : jump ${names.from} }`,
    `add element bridge ${table} to_ports { "${tap}" : jump ${names.to} }`,
    `add element inet ${table} egress_ports { ${fromMark(index)} : jump ${names.egress} }`,
    `add element inet ${table} ingress_ports { ${toMark(index)} : jump ${names.ingress} }`,
  ];
}

/** Removes the port's map entries, then its chains (nothing refers to them any more). */
export function removePort(table: string, secured: SecuredPort): string[] {
  const names = chainNames(secured.spec.id);
  const tap = tapName(secured.spec.id);
  return [
    `delete element bridge ${table} spoof_ports { "${tap}" }`,
    `delete element bridge ${table} from_ports { "${tap}" }`,
    `delete element bridge ${table} to_ports { "${tap}" }`,
    `delete element inet ${table} egress_ports { ${fromMark(secured.index)} }`,
    `delete element inet ${table} ingress_ports { ${toMark(secured.index)} }`,
    ...(['spoof', 'from', 'to'] as const).flatMap((key) => [`flush chain bridge ${table} ${names[key]}`, `delete chain bridge ${table} ${names[key]}`]),
    ...(['egress', 'ingress'] as const).flatMap((key) => [`flush chain inet ${table} ${names[key]}`, `delete chain inet ${table} ${names[key]}`]),
  ];
}
