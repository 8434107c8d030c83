import { isIPv4, isIPv6 } from 'node:net';

/** An IPv4 or IPv6 address as a number, so ranges compare and step like integers. */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

/** A network: its first address and prefix length. */
export interface Cidr {
  readonly version: 4 | 6;
  readonly network: bigint;
  readonly prefixLength: number;
}

const BITS = { 4: 32, 6: 128 } as const;

/** The address a string names, or undefined when it is not one (IPv6 zones and IPv4-in-IPv6 tails included). */
export function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) {
    const value = text.split('.').reduce((sum, octet) => (sum << 8n) + BigInt(Number(octet)), 0n);
    return { version: 4, value };
  }
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let groups = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const v4 = parseIp(dotted[1]);
    if (v4 === undefined) return undefined;
    groups = `${text.slice(0, dotted.index)}${(v4.value >> 16n).toString(16)}:${(v4.value & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = groups.split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailParts];
  return { version: 6, value: parts.reduce((sum, part) => (sum << 16n) + BigInt(Number.parseInt(part, 16)), 0n) };
}

/** The canonical text: dotted quad, or RFC 5952's compressed lower-case IPv6 (as Neutron prints it). */
export function formatIp(address: IpAddress): string {
  if (address.version === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((address.value >> shift) & 0xffn)).join('.');
  }
  const groups = [...Array(8).keys()].map((index) => Number((address.value >> BigInt((7 - index) * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start += 1) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length += 1;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The canonical text of an address string, or undefined when it is not one. */
export function normalizeIp(text: string): string | undefined {
  const address = parseIp(text);
  return address === undefined ? undefined : formatIp(address);
}

/** `a.b.c.d/n` or `x::/n`, with host bits set or not (`strict` refuses them, as Neutron does for a subnet's cidr). */
export function parseCidr(text: string, strict = false): Cidr | undefined {
  const [addressText = '', prefixText, ...rest] = text.split('/');
  if (rest.length > 0) return undefined;
  const address = parseIp(addressText);
  if (address === undefined) return undefined;
  const bits = BITS[address.version];
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefixLength = prefixText === undefined ? bits : Number(prefixText);
  if (prefixLength > bits) return undefined;
  const network = address.value & ~hostMask(address.version, prefixLength) & ((1n << BigInt(bits)) - 1n);
  if (strict && network !== address.value) return undefined;
  return { version: address.version, network, prefixLength };
}

/** Neutron's reason for refusing a cidr text: not one, or with host bits set (naming the network it meant). */
export function unrecognizedCidr(text: string): string {
  const recommended = parseCidr(text);
  return `'${text}' isn't a recognized IP subnet cidr${recommended === undefined ? '' : `, '${formatCidr(recommended)}' is recommended`}.`;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ version: cidr.version, value: cidr.network })}/${cidr.prefixLength}`;
}

function hostMask(version: 4 | 6, prefixLength: number): bigint {
  return (1n << BigInt(BITS[version] - prefixLength)) - 1n;
}

/** The network's last address (IPv4's broadcast). */
export function lastAddress(cidr: Cidr): bigint {
  return cidr.network | hostMask(cidr.version, cidr.prefixLength);
}

export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  return cidr.version === address.version && address.value >= cidr.network && address.value <= lastAddress(cidr);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

/** The modified EUI-64 address a SLAAC host forms in a /64 from its MAC. */
export function eui64Address(cidr: Cidr, macAddress: string): IpAddress {
  const bytes = macAddress.split(':').map((octet) => Number.parseInt(octet, 16));
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0] = bytes;
  const interfaceId = [b0 ^ 0x02, b1, b2, 0xff, 0xfe, b3, b4, b5].reduce((sum, byte) => (sum << 8n) + BigInt(byte), 0n);
  return { version: 6, value: cidr.network | interfaceId };
}

/**
 * The MAC a link-local address was formed from (modified EUI-64, `fe80::/64` with ff:fe in the
 * middle of the interface id), as Neutron's metadata agent reads a guest's link-local source
 * (netutils.get_mac_addr_by_ipv6); undefined for any other address.
 */
export function macOfLinkLocal(address: IpAddress): string | undefined {
  if (address.version !== 6 || address.value >> 64n !== 0xfe80n << 48n || ((address.value >> 24n) & 0xffffn) !== 0xfffen) return undefined;
  const id = address.value & ((1n << 64n) - 1n);
  const bytes = [56n, 48n, 40n, 16n, 8n, 0n].map((shift) => Number((id >> shift) & 0xffn));
  bytes[0] = (bytes[0] ?? 0) ^ 0x02;
  return bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/** An IPv4 address that a dual-stack listener reports as `::ffff:a.b.c.d`, as IPv4; any other address as it is. */
export function unmapIpv4(address: IpAddress): IpAddress {
  if (address.version === 6 && address.value >> 32n === 0xffffn) return { version: 4, value: address.value & 0xffffffffn };
  return address;
}
