/** The few facts about a CIDR the data path needs: its family, prefix length and IPv4 netmask. */
import { isIP } from 'node:net';

export interface ParsedCidr {
  readonly address: string;
  readonly family: 4 | 6;
  readonly prefixLength: number;
}

/** Parses a CIDR already checked by spec-checks; a bare address is a host route (/32 or /128). */
export function parseCidr(cidr: string): ParsedCidr {
  const [address = '', prefix] = cidr.split('/');
  const family = isIP(address) === 6 ? 6 : 4;
  return { address, family, prefixLength: prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix) };
}

export function ipv4Netmask(prefixLength: number): string {
  const bits = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (bits >>> shift) & 0xff).join('.');
}

/** `address/prefix` for an address on the subnet. */
export function onSubnet(address: string, cidr: string): string {
  return `${address}/${parseCidr(cidr).prefixLength}`;
}
