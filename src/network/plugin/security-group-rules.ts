import { badRequest, conflict, invalidInput } from '../errors.js';
import { parseCidr } from '../ipam/ip-address.js';

/** A rule's attributes as the API takes them. */
export interface SecurityGroupRuleCreate {
  readonly project_id?: string;
  readonly tenant_id?: string;
  readonly security_group_id: string;
  readonly direction: string;
  readonly ethertype?: string;
  readonly protocol?: string | number | null;
  readonly port_range_min?: number | null;
  readonly port_range_max?: number | null;
  readonly remote_ip_prefix?: string | null;
  readonly remote_group_id?: string | null;
  readonly description?: string;
}

/** A rule's match, normalised: what duplicates compare and the data path enforces. */
export interface RuleMatch {
  readonly direction: string;
  readonly ethertype: string;
  readonly protocol: string | null;
  readonly port_range_min: number | null;
  readonly port_range_max: number | null;
  readonly remote_ip_prefix: string | null;
  readonly remote_group_id: string | null;
}

/** Neutron's protocol names (neutron_lib constants IP_PROTOCOL_MAP); integers 0-255 are accepted too. */
const PROTOCOLS = [
  'ah', 'dccp', 'egp', 'esp', 'gre', 'hopopt', 'icmp', 'igmp', 'ip', 'ipip', 'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6',
  'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', 'ospf', 'pgm', 'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp',
];
const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite', '6', '17', '132', '33', '136']);
const ICMP_PROTOCOLS = new Set(['icmp', 'ipv6-icmp', 'icmpv6', '1', '58']);

function normalizeProtocol(protocol: string | number | null | undefined): string | null {
  if (protocol === undefined || protocol === null || protocol === '' || protocol === 'any') return null;
  const text = String(protocol).toLowerCase();
  if (PROTOCOLS.includes(text)) return text;
  if (/^\d{1,3}$/.test(text) && Number(text) <= 255) return String(Number(text));
  throw badRequest(
    `Security group rule protocol ${String(protocol)} not supported. Only protocol values [${PROTOCOLS.map((name) => `'${name}'`).join(', ')}] and integer representations [0 to 255] are supported.`,
    'SecurityGroupRuleInvalidProtocol',
  );
}

/** Checks a new rule as Neutron's _validate_security_group_rule does, and normalises its match. */
export function checkRule(body: SecurityGroupRuleCreate): RuleMatch {
  if (body.direction !== 'ingress' && body.direction !== 'egress') throw invalidInput(`'${body.direction}' is not in ['ingress', 'egress']`);
  const ethertype = body.ethertype ?? 'IPv4';
  if (ethertype !== 'IPv4' && ethertype !== 'IPv6') {
    throw badRequest(`Security group rule for ethertype '${ethertype}' not supported. Allowed values are ['IPv4', 'IPv6'].`, 'SecurityGroupRuleInvalidEtherType');
  }
  const protocol = normalizeProtocol(body.protocol);
  const min = body.port_range_min ?? null;
  const max = body.port_range_max ?? null;
  if ((min !== null || max !== null) && protocol === null) {
    throw badRequest('Must also specify protocol if port range is given.', 'SecurityGroupProtocolRequiredWithPorts');
  }
  if (protocol !== null && PORT_PROTOCOLS.has(protocol)) {
    for (const port of [min, max]) {
      if (port !== null && (port < 1 || port > 65535)) throw badRequest(`Invalid value for port ${port}.`, 'SecurityGroupInvalidPortValue');
    }
    if ((min === null) !== (max === null) && min === null) {
      throw badRequest('For TCP/UDP protocols, port_range_min must be <= port_range_max', 'SecurityGroupInvalidPortRange');
    }
    if (min !== null && max !== null && min > max) {
      throw badRequest('For TCP/UDP protocols, port_range_min must be <= port_range_max', 'SecurityGroupInvalidPortRange');
    }
  } else if (protocol !== null && ICMP_PROTOCOLS.has(protocol)) {
    for (const [field, value] of [['type', min], ['code', max]] as const) {
      if (value !== null && (value < 0 || value > 255)) {
        throw badRequest(`Invalid value for ICMP ${field} (${field === 'type' ? 'port-range-min' : 'port-range-max'}): ${value}.`, 'SecurityGroupInvalidIcmpValue');
      }
    }
    if (min === null && max !== null) {
      throw badRequest(`ICMP code (port-range-max) ${max} is provided but ICMP type (port-range-min) is missing.`, 'SecurityGroupMissingIcmpType');
    }
  } else if (min !== null || max !== null) {
    throw badRequest(`Invalid protocol ${String(protocol)} for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP.`, 'SecurityGroupInvalidProtocolForPortRange');
  }
  const remoteIpPrefix = body.remote_ip_prefix ?? null;
  const remoteGroupId = body.remote_group_id ?? null;
  if (remoteIpPrefix !== null && remoteGroupId !== null) {
    throw badRequest('Only remote_ip_prefix or remote_group_id may be provided.', 'SecurityGroupRemoteGroupAndRemoteIpPrefix');
  }
  let prefix: string | null = null;
  if (remoteIpPrefix !== null) {
    const cidr = parseCidr(remoteIpPrefix);
    if (cidr === undefined) throw invalidInput(`'${remoteIpPrefix}' is not a valid IP subnet.`);
    if (`IPv${cidr.version}` !== ethertype) {
      throw badRequest(`Conflicting value ethertype ${ethertype} for CIDR ${remoteIpPrefix}`, 'SecurityGroupRuleParameterConflict');
    }
    prefix = remoteIpPrefix;
  }
  return { direction: body.direction, ethertype, protocol, port_range_min: min, port_range_max: max, remote_ip_prefix: prefix, remote_group_id: remoteGroupId };
}

/** 409 SecurityGroupRuleExists when the group already has a rule with the same match. */
export function refuseDuplicate(match: RuleMatch, existing: readonly (RuleMatch & { id: string })[]): void {
  const same = existing.find((rule) =>
    (Object.keys(match) as (keyof RuleMatch)[]).every((key) => (rule[key] ?? null) === (match[key] ?? null)),
  );
  if (same !== undefined) throw conflict('SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${same.id}.`);
}
