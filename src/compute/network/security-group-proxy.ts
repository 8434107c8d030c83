/**
 * Nova's security group proxy (nova/network/security_group_api.py, deprecated at 2.36): Neutron's
 * groups and ingress rules in the nova-network shape, with the caller's token, so visibility and
 * quotas are Neutron's. Only ingress rules exist in this shape; egress rules are not shown.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, Forbidden, NimbusError, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { NeutronApi, NeutronSession } from './neutron-api.js';

const LOG = getLogger('nimbus.compute.api');

/** A Neutron security group rule as its API answers. */
interface NeutronRule {
  readonly id: string;
  readonly direction: string;
  readonly protocol: string | null;
  readonly port_range_min: number | null;
  readonly port_range_max: number | null;
  readonly remote_group_id: string | null;
  readonly remote_ip_prefix: string | null;
  readonly security_group_id: string;
}

interface NeutronGroup {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly project_id: string;
  readonly security_group_rules: readonly NeutronRule[];
}

/** The group a rule lets in, as the view names it: `{}` for a CIDR rule. */
type RuleGroup = { readonly name: string; readonly tenant_id: string } | Record<string, never>;

export interface NovaSecurityGroupRule {
  readonly id: string;
  readonly parent_group_id: string;
  readonly ip_protocol: string | null;
  readonly from_port: number | null;
  readonly to_port: number | null;
  readonly group: RuleGroup;
  readonly ip_range: { readonly cidr: string } | Record<string, never>;
}

export interface NovaSecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tenant_id: string;
  readonly rules: readonly NovaSecurityGroupRule[];
}

/** A rule as the proxy's create asks for it (security_groups.py `_rule_args_to_dict`). */
export interface NovaRuleRequest {
  readonly parent_group_id: string;
  readonly ip_protocol?: string | null;
  readonly from_port?: number | string | null;
  readonly to_port?: number | string | null;
  readonly cidr?: string | null;
  readonly group_id?: string | null;
}

/** Neutron's answer to a lookup of another resource: its 404 in Nova's NotFound, other faults as they came. */
function notFoundAs(message: (error: NimbusError) => string): (error: unknown) => never {
  return (error) => {
    if (error instanceof NimbusError && error.status === 404) throw new NotFound(message(error));
    throw error;
  };
}

/** Nova's _convert_to_nova_security_group_rule_format: no port range is the whole range of the protocol. */
function ruleView(rule: NeutronRule, group: RuleGroup | undefined): NovaSecurityGroupRule {
  const wholeRange = rule.protocol !== null && rule.port_range_min === null && rule.port_range_max === null;
  const tcpOrUdp = ['TCP', 'UDP'].includes((rule.protocol ?? '').toUpperCase());
  return {
    id: rule.id,
    parent_group_id: rule.security_group_id,
    ip_protocol: rule.protocol,
    from_port: wholeRange ? (tcpOrUdp ? 1 : -1) : rule.port_range_min,
    to_port: wholeRange ? (tcpOrUdp ? 65535 : -1) : rule.port_range_max,
    group: rule.remote_group_id === null ? {} : (group ?? {}),
    ip_range: rule.remote_group_id === null ? { cidr: rule.remote_ip_prefix ?? '0.0.0.0/0' } : {},
  };
}

/** Sorted as Nova's index answers: by project, then name. */
function byProjectAndName(a: NovaSecurityGroup, b: NovaSecurityGroup): number {
  return a.tenant_id.localeCompare(b.tenant_id) || a.name.localeCompare(b.name);
}

/** The Neutron rule a proxy request stands for, before it has an id. */
type NewRule = Omit<NeutronRule, 'id'> & { readonly ethertype: 'IPv4' | 'IPv6' };

/** Nova's _new_ingress_rule: the Neutron rule a request stands for, or a 400 in Nova's words. */
function neutronRule(request: NovaRuleRequest, cidr: string | undefined): NewRule {
  const protocol = request.ip_protocol === undefined || request.ip_protocol === null ? '' : String(request.ip_protocol);
  const upper = protocol.toUpperCase();
  let from = request.from_port ?? null;
  let to = request.to_port ?? null;
  const remoteGroup = request.group_id ?? null;
  if (remoteGroup !== null && from === null && to === null) {
    if (upper === 'ICMP') [from, to] = [-1, -1];
    else if (upper === 'TCP' || upper === 'UDP') [from, to] = [1, 65535];
  }
  const rule = {
    direction: 'ingress',
    security_group_id: request.parent_group_id,
    remote_group_id: remoteGroup,
    remote_ip_prefix: cidr ?? null,
    ethertype: cidr?.includes(':') === true ? 'IPv6' : 'IPv4',
  } as const;
  if (protocol === '' || from === null || to === null) {
    // A CIDR rule needs its protocol and ports.
    if (cidr !== undefined) throw new BadRequest('Not enough parameters to build a valid rule.');
    return { ...rule, protocol: null, port_range_min: null, port_range_max: null };
  }
  const fromPort = Number(from);
  const toPort = Number(to);
  if (!Number.isInteger(fromPort) || !Number.isInteger(toPort)) {
    throw new BadRequest(upper === 'ICMP' ? 'Invalid input received: Type and Code must be integers for ICMP protocol type' : 'Invalid input received: To and From ports must be integers');
  }
  if (!['TCP', 'UDP', 'ICMP'].includes(upper)) throw new BadRequest(`Invalid IP protocol ${protocol}.`);
  const range = (why: string) => new BadRequest(`Invalid port range ${fromPort}:${toPort}. ${why}`);
  if (upper !== 'ICMP' && fromPort > toPort) throw range('Former value cannot be greater than the later');
  if (upper !== 'ICMP' && (fromPort < 1 || toPort > 65535)) throw range(`Valid ${upper} ports should be between 1-65535`);
  if (upper === 'ICMP' && [fromPort, toPort].some((port) => port < -1 || port > 255)) throw range('For ICMP, the type:code must be valid');
  return { ...rule, protocol, port_range_min: fromPort === -1 ? null : fromPort, port_range_max: toPort === -1 ? null : toPort };
}

/** Two rules that let in the same traffic (Nova's _rule_exists). */
function sameRule(a: NovaSecurityGroupRule, b: NovaSecurityGroupRule): boolean {
  return a.ip_protocol === b.ip_protocol && a.from_port === b.from_port && a.to_port === b.to_port && JSON.stringify(a.ip_range) === JSON.stringify(b.ip_range);
}

/** The fields of a rule Neutron is sent: what is null is left out. */
function withoutNulls(rule: NewRule): Record<string, unknown> {
  return Object.fromEntries(Object.entries(rule).filter(([, value]) => value !== null));
}

/** Nova's parse_cidr and the controller's prefix check: absent is everything; a /0 of anything but 0.0.0.0 or :: is a 400. */
function ruleCidr(request: NovaRuleRequest): string | undefined {
  if (request.group_id !== undefined && request.group_id !== null) return undefined;
  const cidr = request.cidr === undefined || request.cidr === null || request.cidr === '' ? '0.0.0.0/0' : decodeURIComponent(request.cidr);
  const match = /^([0-9a-fA-F.:]+)\/(\d{1,3})$/.exec(cidr);
  const address = match?.[1] ?? '';
  const prefix = Number(match?.[2] ?? -1);
  const v6 = address.includes(':');
  const validAddress = v6 ? /^[0-9a-fA-F:]+$/.test(address) : /^(\d{1,3})(\.\d{1,3}){3}$/.test(address) && address.split('.').every((part) => Number(part) <= 255);
  if (match === null || !validAddress || prefix > (v6 ? 128 : 32)) throw new BadRequest(`Invalid cidr ${cidr}.`);
  if (prefix === 0 && address !== '0.0.0.0' && address !== '::') throw new BadRequest(`Bad prefix for network in cidr ${cidr}`);
  return cidr;
}

export class SecurityGroupProxy {
  constructor(private readonly neutron: NeutronApi) {}

  /** The caller's groups (every project's for an admin asking all_tenants), each with its ingress rules. */
  async list(context: RequestContext, allTenants: boolean): Promise<NovaSecurityGroup[]> {
    const session = this.neutron.forUser(context);
    const query = allTenants && context.isAdmin === true ? '' : `?tenant_id=${encodeURIComponent(context.projectId ?? '')}`;
    const groups = ((await session.request('GET', `/security-groups${query}`)) as { security_groups: NeutronGroup[] }).security_groups;
    return (await this.#views(session, groups)).sort(byProjectAndName);
  }

  async get(context: RequestContext, id: string): Promise<NovaSecurityGroup> {
    const session = this.neutron.forUser(context);
    const [view] = await this.#views(session, [await this.#group(session, id)]);
    return view as NovaSecurityGroup;
  }

  async create(context: RequestContext, name: string, description: string): Promise<NovaSecurityGroup> {
    const session = this.neutron.forUser(context);
    const created = await session.request('POST', '/security-groups', { security_group: { name, description } }).catch((error: unknown) => {
      // Neutron's 409 here is its quota.
      if (error instanceof NimbusError && error.status === 409) throw new Forbidden(error.message);
      throw error;
    });
    const [view] = await this.#views(session, [(created as { security_group: NeutronGroup }).security_group]);
    return view as NovaSecurityGroup;
  }

  async update(context: RequestContext, id: string, name: string, description: string): Promise<NovaSecurityGroup> {
    const session = this.neutron.forUser(context);
    await this.#group(session, id);
    const updated = await session.request('PUT', `/security-groups/${encodeURIComponent(id)}`, { security_group: { name, description } });
    const [view] = await this.#views(session, [(updated as { security_group: NeutronGroup }).security_group]);
    return view as NovaSecurityGroup;
  }

  /** A group still in use by a port is Neutron's 409, Nova's 400. */
  async delete(context: RequestContext, id: string): Promise<void> {
    const session = this.neutron.forUser(context);
    await this.#group(session, id);
    LOG.info(`Deleting security group ${id}`);
    await session.request('DELETE', `/security-groups/${encodeURIComponent(id)}`).catch((error: unknown) => {
      if (error instanceof NimbusError && error.status === 409) throw new BadRequest(error.message);
      return notFoundAs((fault) => fault.message)(error);
    });
  }

  /** An ingress rule on the parent group, from a CIDR or another group (Nova's create_security_group_rule). */
  async createRule(context: RequestContext, request: NovaRuleRequest): Promise<NovaSecurityGroupRule> {
    const session = this.neutron.forUser(context);
    const parent = await this.#group(session, request.parent_group_id);
    const source = request.group_id === undefined || request.group_id === null ? undefined : await this.#group(session, request.group_id);
    const rule = neutronRule(request, ruleCidr(request));
    const wanted = ruleView({ ...rule, id: '' }, undefined);
    const exists = parent.security_group_rules.some((existing) => existing.direction === 'ingress' && existing.remote_group_id === rule.remote_group_id && sameRule(ruleView(existing, undefined), wanted));
    if (exists) throw new BadRequest(`This rule already exists in group ${parent.id}`);
    const created = await session.request('POST', '/security-group-rules', { security_group_rule: withoutNulls(rule) }).catch((error: unknown) => {
      if (error instanceof NimbusError && error.status === 409) throw new Forbidden(error.message);
      return notFoundAs((fault) => fault.message)(error);
    });
    const group = source === undefined ? undefined : { name: source.name, tenant_id: source.project_id };
    return ruleView((created as { security_group_rule: NeutronRule }).security_group_rule, group);
  }

  async deleteRule(context: RequestContext, id: string): Promise<void> {
    const session = this.neutron.forUser(context);
    const path = `/security-group-rules/${encodeURIComponent(id)}`;
    const { security_group_rule: rule } = (await session.request('GET', path).catch(notFoundAs((fault) => fault.message))) as { security_group_rule: NeutronRule };
    await this.#group(session, rule.security_group_id);
    LOG.info(`Deleting security group rule ${id} of group ${rule.security_group_id}`);
    await session.request('DELETE', path);
  }

  /** The groups of a server's ports, in full (Nova's get_instance_security_groups with detailed). */
  async ofServer(context: RequestContext, serverId: string): Promise<NovaSecurityGroup[]> {
    const session = this.neutron.forUser(context);
    const ports = await session.listPorts({ device_id: serverId });
    const ids = [...new Set(ports.flatMap((port) => port.security_groups))];
    if (ids.length === 0) return [];
    const query = ids.map((id) => `id=${encodeURIComponent(id)}`).join('&');
    const groups = ((await session.request('GET', `/security-groups?${query}`)) as { security_groups: NeutronGroup[] }).security_groups;
    return (await this.#views(session, groups)).sort(byProjectAndName);
  }

  async #group(session: NeutronSession, id: string): Promise<NeutronGroup> {
    const found = await session.request('GET', `/security-groups/${encodeURIComponent(id)}`).catch(notFoundAs((fault) => fault.message));
    return (found as { security_group: NeutronGroup }).security_group;
  }

  /** The groups with their ingress rules; a rule's remote group is named, or the rule skipped when that group is gone. */
  async #views(session: NeutronSession, groups: readonly NeutronGroup[]): Promise<NovaSecurityGroup[]> {
    const named = new Map<string, RuleGroup | null>(groups.map((group) => [group.id, { name: group.name, tenant_id: group.project_id }]));
    for (const group of groups) {
      for (const rule of group.security_group_rules) {
        const remote = rule.remote_group_id;
        if (remote === null || named.has(remote)) continue;
        const found = await this.#group(session, remote).catch((error: unknown) => {
          if (error instanceof NotFound) return undefined;
          throw error;
        });
        named.set(remote, found === undefined ? null : { name: found.name, tenant_id: found.project_id });
      }
    }
    return groups.map((group) => ({
      id: group.id,
      name: group.name,
      description: group.description,
      tenant_id: group.project_id,
      rules: group.security_group_rules
        .filter((rule) => rule.direction === 'ingress' && (rule.remote_group_id === null || named.get(rule.remote_group_id) !== null))
        .map((rule) => ruleView(rule, rule.remote_group_id === null ? undefined : (named.get(rule.remote_group_id) ?? undefined))),
    }));
  }
}
