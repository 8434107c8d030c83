import { randomUUID } from 'node:crypto';
import type { NetworkStore } from '../db/network-store.js';
import type { ResourceChanges, ResourceRow } from '../db/store/resource-rows.js';
import { conflict, notFound } from '../errors.js';
import { readsAttribute, type AttributesRead, type ResourceView } from './caller.js';
import type { PluginDeps } from './plugin-deps.js';
import type { QuotaPlugin } from './quotas.js';
import { checkRule, refuseDuplicate, type RuleMatch, type SecurityGroupRuleCreate } from './security-group-rules.js';
import { newStandardColumns, standardView } from './standard-attributes.js';

export type SecurityGroupRow = ResourceRow<'net_security_groups'>;
export type SecurityGroupRuleRow = ResourceRow<'net_security_group_rules'>;

export interface SecurityGroupCreate {
  readonly project_id?: string;
  readonly tenant_id?: string;
  readonly name?: string;
  readonly description?: string;
  readonly stateful?: boolean;
}

export type SecurityGroupUpdate = Pick<SecurityGroupCreate, 'name' | 'description' | 'stateful'>;

const ANY: Omit<RuleMatch, 'direction' | 'ethertype'> = { protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null };

/** Neutron's `name_not_default` validator, on create and update: no second group named default, in any case. */
function refuseDefaultName(name: string | undefined): void {
  if (name?.toLowerCase() === 'default') throw conflict('SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
}

/** Security groups and their rules; each project gets its `default` group the first time it needs one. */
export class SecurityGroupPlugin {
  constructor(
    private readonly deps: PluginDeps,
    private readonly quotas: QuotaPlugin,
  ) {}

  /**
   * The project's `default` group, made on first use as Neutron makes it: egress anywhere (IPv4
   * and IPv6), ingress from members of the same group. Its key lets one concurrent request make it.
   */
  async ensureDefault(projectId: string): Promise<string> {
    const existing = await this.deps.store.defaultSecurityGroups.find(projectId);
    if (existing !== undefined) return existing;
    try {
      return await this.deps.store.transaction(async (store) => {
        const id = await this.#insertGroup(store, projectId, { name: 'default', description: 'Default security group' });
        await store.defaultSecurityGroups.insert(projectId, id);
        for (const ethertype of ['IPv4', 'IPv6']) {
          await this.#insertRule(store, projectId, id, { ...ANY, direction: 'ingress', ethertype, remote_group_id: id }, '');
        }
        return id;
      });
    } catch (error) {
      if (!this.deps.store.isUniqueViolation(error)) throw error;
      const winner = await this.deps.store.defaultSecurityGroups.find(projectId);
      if (winner === undefined) throw error;
      return winner;
    }
  }

  async create(projectId: string, body: SecurityGroupCreate): Promise<ResourceView> {
    await this.ensureDefault(projectId);
    refuseDefaultName(body.name);
    const id = await this.deps.store.transaction(async (store) => {
      await this.quotas.check(store, projectId, 'security_group');
      return this.#insertGroup(store, projectId, body);
    });
    return this.get(id);
  }

  /** A group with Neutron's two default egress rules. */
  async #insertGroup(store: NetworkStore, projectId: string, body: SecurityGroupCreate): Promise<string> {
    const id = randomUUID();
    await store.securityGroups.insert({ id, project_id: projectId, name: body.name ?? '', stateful: body.stateful ?? true, ...newStandardColumns(store, body.description) });
    for (const ethertype of ['IPv4', 'IPv6']) await this.#insertRule(store, projectId, id, { ...ANY, direction: 'egress', ethertype }, '');
    return id;
  }

  async #insertRule(store: NetworkStore, projectId: string, groupId: string, match: RuleMatch, description: string): Promise<string> {
    const id = randomUUID();
    await store.securityGroupRules.insert({ id, project_id: projectId, security_group_id: groupId, ...match, ...newStandardColumns(store, description) });
    return id;
  }

  async row(id: string, store: NetworkStore = this.deps.store): Promise<SecurityGroupRow> {
    const row = await store.securityGroups.find(id);
    if (row === undefined) throw notFound('Security group', id, 'SecurityGroupNotFound');
    return row;
  }

  async get(id: string): Promise<ResourceView> {
    return (await this.views(this.deps.store, [await this.row(id)]))[0] ?? {};
  }

  /**
   * The project's groups (every group for an administrator); only those of `ids` when given (Nova
   * naming its servers' groups, when it reads no rules or tags: see views).
   */
  async list(projectId: string | undefined, ids?: readonly string[], attributes?: AttributesRead): Promise<ResourceView[]> {
    if (projectId !== undefined) await this.ensureDefault(projectId);
    return this.views(this.deps.store, await this.deps.store.securityGroups.list(projectId, ids === undefined ? [] : [{ column: 'id', values: ids }]), attributes);
  }

  async update(id: string, body: SecurityGroupUpdate): Promise<ResourceView> {
    refuseDefaultName(body.name);
    const group = await this.row(id);
    if (group.name === 'default' && body.name !== undefined) {
      throw conflict('SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.');
    }
    const changes: ResourceChanges<'net_security_groups'> = {
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.description === undefined ? {} : { description: body.description }),
      ...(body.stateful === undefined ? {} : { stateful: body.stateful }),
    };
    await this.deps.store.securityGroups.update(id, changes);
    return this.get(id);
  }

  /** 409 SecurityGroupInUse while a port is in it; rules of other groups naming it as remote go with it. */
  async delete(id: string, isAdmin: boolean): Promise<void> {
    await this.deps.store.transaction(async (store) => {
      const group = await this.row(id, store);
      if (group.name === 'default' && !isAdmin) throw conflict('SecurityGroupCannotRemoveDefault', 'Removing default security group not allowed.');
      if ((await store.portSecurityGroups.portsInGroup(id)) > 0) throw conflict('SecurityGroupInUse', `Security Group ${id} in use.`);
      const rules = [...(await store.securityGroupRules.where('security_group_id', [id])), ...(await store.securityGroupRules.where('remote_group_id', [id]))];
      for (const rule of rules) await store.securityGroupRules.delete(rule.id);
      await store.defaultSecurityGroups.deleteGroup(id);
      await store.tags.removeAll('security_groups', id);
      await store.securityGroups.delete(id);
    });
  }

  async createRule(projectId: string, body: SecurityGroupRuleCreate): Promise<ResourceView> {
    const match = checkRule(body);
    const id = await this.deps.store.transaction(async (store) => {
      await this.row(body.security_group_id, store);
      if (match.remote_group_id !== null) await this.row(match.remote_group_id, store);
      refuseDuplicate(match, await store.securityGroupRules.where('security_group_id', [body.security_group_id]));
      await this.quotas.check(store, projectId, 'security_group_rule');
      const ruleId = await this.#insertRule(store, projectId, body.security_group_id, match, body.description ?? '');
      await store.securityGroups.update(body.security_group_id, {});
      return ruleId;
    });
    return this.getRule(id);
  }

  async ruleRow(id: string): Promise<SecurityGroupRuleRow> {
    const row = await this.deps.store.securityGroupRules.find(id);
    if (row === undefined) throw notFound('Security group rule', id, 'SecurityGroupRuleNotFound');
    return row;
  }

  async getRule(id: string): Promise<ResourceView> {
    return ruleView(await this.ruleRow(id));
  }

  /** The rules of the project's groups (every rule for an administrator). */
  async listRules(projectId: string | undefined): Promise<ResourceView[]> {
    if (projectId === undefined) return (await this.deps.store.securityGroupRules.list()).map(ruleView);
    await this.ensureDefault(projectId);
    const groups = await this.deps.store.securityGroups.list(projectId);
    return (await this.deps.store.securityGroupRules.where('security_group_id', groups.map((group) => group.id))).map(ruleView);
  }

  async deleteRule(id: string): Promise<void> {
    await this.deps.store.transaction(async (store) => {
      const rule = await store.securityGroupRules.find(id);
      if (rule === undefined) throw notFound('Security group rule', id, 'SecurityGroupRuleNotFound');
      await store.securityGroupRules.delete(id);
      await store.securityGroups.update(rule.security_group_id, {});
    });
  }

  /** The groups' views; rules and tags not among `attributes` (all a list reads) are left empty rather than read. */
  async views(store: NetworkStore, rows: readonly SecurityGroupRow[], attributes?: AttributesRead): Promise<ResourceView[]> {
    const ids = rows.map((row) => row.id);
    const tags = readsAttribute(attributes, 'tags') ? await store.tags.of('security_groups', ids) : new Map<string, string[]>();
    const rules = readsAttribute(attributes, 'security_group_rules') ? await store.securityGroupRules.where('security_group_id', ids) : [];
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      stateful: row.stateful,
      security_group_rules: rules.filter((rule) => rule.security_group_id === row.id).map(ruleView),
      ...standardView(row, tags.get(row.id) ?? []),
    }));
  }
}

export function ruleView(row: SecurityGroupRuleRow): ResourceView {
  return {
    id: row.id,
    security_group_id: row.security_group_id,
    direction: row.direction,
    ethertype: row.ethertype,
    protocol: row.protocol,
    port_range_min: row.port_range_min,
    port_range_max: row.port_range_max,
    remote_ip_prefix: row.remote_ip_prefix,
    remote_group_id: row.remote_group_id,
    ...standardView(row),
  };
}
