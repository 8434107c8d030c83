/**
 * Ending the tracked connections a change may have revoked, as Neutron's firewall drivers do:
 * a stateful rule lets established traffic through without looking at the rules again, so
 * after a rule or a port's addresses change the port's entries in its bridge's conntrack zone
 * are deleted. A connection the rules still allow is picked up again as new and passes; one
 * they no longer allow stops.
 */
import { isIP } from 'node:net';
import { tryRun } from '../exec.js';

export async function forgetConnections(zone: number, addresses: Iterable<string>): Promise<void> {
  for (const address of new Set(addresses)) {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    // conntrack exits 1 when nothing matched: nothing to forget.
    for (const end of ['--orig-src', '--orig-dst']) await tryRun('conntrack', ['-D', '-f', family, '-w', String(zone), end, address]);
  }
}
