/**
 * A security group rule as an nftables match, seen from the port: an ingress rule matches what
 * reaches the guest (the remote end is the source), an egress rule what the guest sends (the
 * remote end is the destination). Rules allow; the port's chain drops what no rule allows.
 */
import type { SecurityGroupRuleSpec } from '../../datapath-spec.js';
import { parseCidr } from '../../cidr.js';

/** The set of a remote group's member addresses, per family (`rg4-<group id>`). */
export function remoteGroupSet(groupId: string, family: 4 | 6): string {
  return `rg${family}-${groupId}`;
}

export const familyOf = (rule: SecurityGroupRuleSpec): 4 | 6 => (rule.ethertype === 'IPv6' ? 6 : 4);

function protocolMatch(rule: SecurityGroupRuleSpec, family: 4 | 6): string | undefined {
  const { protocol } = rule;
  if (protocol === null) return '';
  const min = rule.port_range_min;
  const max = rule.port_range_max;
  if (protocol === 'tcp' || protocol === 'udp' || protocol === 'sctp') {
    if (min === null) return `meta l4proto ${protocol}`;
    const high = max ?? min;
    return high === min ? `${protocol} dport ${min}` : `${protocol} dport ${min}-${high}`;
  }
  const icmp = protocol === 'icmp' || protocol === 'ipv6-icmp' || protocol === 'icmpv6';
  if (icmp) {
    // Neutron lets an IPv6 rule say `icmp` for ICMPv6; an IPv4 rule naming ICMPv6 never matches.
    if (family === 4 && protocol !== 'icmp') return undefined;
    const keyword = family === 4 ? 'icmp' : 'icmpv6';
    if (min === null) return `meta l4proto ${family === 4 ? 'icmp' : 'ipv6-icmp'}`;
    return max === null ? `${keyword} type ${min}` : `${keyword} type ${min} ${keyword} code ${max}`;
  }
  return `meta l4proto ${protocol}`;
}

/** The rule's match, or undefined when it can never match (a remote prefix of the other family). */
export function ruleMatch(rule: SecurityGroupRuleSpec): string | undefined {
  const family = familyOf(rule);
  const parts = [family === 4 ? 'meta nfproto ipv4' : 'meta nfproto ipv6'];
  const field = `${family === 4 ? 'ip' : 'ip6'} ${rule.direction === 'ingress' ? 'saddr' : 'daddr'}`;
  if (rule.remote_ip_prefix !== null) {
    if (parseCidr(rule.remote_ip_prefix).family !== family) return undefined;
    parts.push(`${field} ${rule.remote_ip_prefix}`);
  }
  if (rule.remote_group_id !== null) parts.push(`${field} @${remoteGroupSet(rule.remote_group_id, family)}`);
  const protocol = protocolMatch(rule, family);
  if (protocol === undefined) return undefined;
  if (protocol !== '') parts.push(protocol);
  return parts.join(' ');
}
