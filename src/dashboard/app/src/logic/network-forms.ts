/**
 * Request bodies the Network page sends, built from what its forms hold (every value a string, as
 * a form gives it), and the reason a form is refused before anything is sent.
 */

export interface SubnetFields {
  readonly networkId: string;
  readonly name: string;
  readonly cidr: string;
  /** Empty: Neutron picks the first address; `none`: no gateway. */
  readonly gateway: string;
  readonly enableDhcp: boolean;
}

/** Neutron's subnet create body; the IP version follows from the CIDR. */
export function subnetBody(fields: SubnetFields): { subnet: Record<string, unknown> } {
  const gateway = fields.gateway.trim();
  return {
    subnet: {
      network_id: fields.networkId,
      cidr: fields.cidr.trim(),
      ip_version: fields.cidr.includes(':') ? 6 : 4,
      enable_dhcp: fields.enableDhcp,
      ...(fields.name === '' ? {} : { name: fields.name }),
      ...(gateway === '' ? {} : { gateway_ip: gateway === 'none' ? null : gateway }),
    },
  };
}

export interface RuleFields {
  readonly securityGroupId: string;
  readonly direction: string;
  /** `any`, `icmp`, `tcp` or `udp`. */
  readonly protocol: string;
  /** One port (`22`), a range (`8000-8080`), or empty for all. */
  readonly ports: string;
  /** A CIDR; empty for anywhere. */
  readonly remote: string;
}

/** A port or port range as Neutron's min and max, or the reason it is not one. */
export function portRange(text: string): { min: number; max: number } | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(trimmed);
  const min = Number(match?.[1]);
  const max = Number(match?.[2] ?? match?.[1]);
  if (match === null || min < 1 || max > 65535 || min > max) return `${trimmed} is not a port or a range of ports (1-65535).`;
  return { min, max };
}

/** Neutron's security group rule body, or the reason the fields do not make one. */
export function ruleBody(fields: RuleFields): { security_group_rule: Record<string, unknown> } | string {
  const remote = fields.remote.trim();
  const range = portRange(fields.ports);
  if (typeof range === 'string') return range;
  if (range !== undefined && fields.protocol !== 'tcp' && fields.protocol !== 'udp') return 'Ports apply to TCP and UDP rules only.';
  return {
    security_group_rule: {
      security_group_id: fields.securityGroupId,
      direction: fields.direction,
      ethertype: remote.includes(':') ? 'IPv6' : 'IPv4',
      ...(fields.protocol === 'any' ? {} : { protocol: fields.protocol }),
      ...(range === undefined ? {} : { port_range_min: range.min, port_range_max: range.max }),
      ...(remote === '' ? {} : { remote_ip_prefix: remote }),
    },
  };
}

/** What a security group rule says, as Neutron shows it. */
export interface RuleView {
  readonly direction: string;
  readonly ethertype: string;
  readonly protocol: string | null;
  readonly port_range_min: number | null;
  readonly port_range_max: number | null;
  readonly remote_ip_prefix: string | null;
  readonly remote_group_id: string | null;
}

/** A rule as one line: `ingress tcp 22 from 0.0.0.0/0`. */
export function ruleText(rule: RuleView): string {
  const ports =
    rule.port_range_min === null ? '' : rule.port_range_min === rule.port_range_max ? ` ${rule.port_range_min}` : ` ${rule.port_range_min}-${rule.port_range_max ?? ''}`;
  const peer = rule.remote_ip_prefix ?? (rule.remote_group_id === null ? `any ${rule.ethertype}` : 'the group');
  return `${rule.direction} ${rule.protocol ?? 'any'}${ports} ${rule.direction === 'ingress' ? 'from' : 'to'} ${peer}`;
}
