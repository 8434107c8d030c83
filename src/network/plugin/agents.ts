/**
 * Neutron's agents_db: the agents' state reports kept in `net_agents`, whether each is alive
 * (a heartbeat younger than `[network] agent_down_time` and no reason it cannot serve), and
 * whether a host can bind a port (a live, enabled Linux bridge agent there that reaches the
 * network's segment).
 */
import { randomUUID } from 'node:crypto';
import type { NetworkStore } from '../db/network-store.js';
import type { AgentRow } from '../db/store/agent-rows.js';
import { notFound } from '../errors.js';
import type { ResourceView } from './caller.js';
import { parseJson } from './standard-attributes.js';
import type { ReportStateArgs } from '../server/rpc-api.js';
import type { BindingHosts, BindingSegment, HostBinding } from './plugin-deps.js';

export const LINUX_BRIDGE_AGENT = 'Linux bridge agent';

export interface AgentUpdate {
  readonly admin_state_up?: boolean;
  readonly description?: string;
}

/** Neutron prints agent times as Python's str(datetime): `2026-12-05 07:40:38`. */
function agentTime(stored: string): string {
  return stored.slice(0, 19).replace('T', ' ');
}

export class AgentRegistry implements BindingHosts {
  constructor(
    private readonly store: NetworkStore,
    /** Seconds after the last heartbeat an agent is considered down (Neutron's agent_down_time, 75). */
    private readonly downTimeSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records a state report: each agent row of the host is created or refreshed. */
  async report(report: ReportStateArgs): Promise<void> {
    const heartbeat = this.store.timestamp();
    for (const agent of report.agents) {
      const row = {
        agent_type: agent.agent_type,
        binary: agent.binary,
        topic: agent.topic,
        host: report.host,
        availability_zone: agent.agent_type === LINUX_BRIDGE_AGENT ? null : 'nova',
        configurations: JSON.stringify(agent.configurations),
        down_reason: report.down_reason,
        started_at: report.started_at,
        heartbeat_timestamp: heartbeat,
      };
      if (await this.store.agents.report(row)) continue;
      try {
        await this.store.agents.insert({ ...row, id: randomUUID(), admin_state_up: true, description: '', created_at: heartbeat });
      } catch (error) {
        // Two reports raced to create the row: the other one made it, so refresh it.
        if (!this.store.isUniqueViolation(error)) throw error;
        await this.store.agents.report(row);
      }
    }
  }

  alive(row: AgentRow): boolean {
    const age = this.now().getTime() - Date.parse(row.heartbeat_timestamp);
    return row.down_reason === null && age <= this.downTimeSeconds * 1000;
  }

  /**
   * Why binding a port of the segment to the host fails: no agent, one that said why it cannot
   * serve, a disabled one, a silent one, or (Neutron's linuxbridge mechanism driver,
   * check_segment_for_agent) a flat or vlan network on a physical network the agent does not map.
   * Bound: the bridge the agent's bridge_mappings give a flat network's physical network, which
   * the port's `binding:vif_details` name (`bridge_name`) so that compute plugs its tap there.
   */
  async bind(host: string, segment: BindingSegment): Promise<HostBinding> {
    const agent = await this.#bindingAgent(host, segment);
    if (typeof agent === 'string') return { failure: agent };
    const bridge = segment.network_type === 'flat' && segment.physical_network !== null ? mappingsOf(agent, 'bridge_mappings')[segment.physical_network] : undefined;
    return bridge === undefined ? {} : { bridge };
  }

  /** The host's agent that binds the segment, or why none can. */
  async #bindingAgent(host: string, segment: BindingSegment): Promise<string | AgentRow> {
    const row = (await this.store.agents.ofHost(host)).find((agent) => agent.agent_type === LINUX_BRIDGE_AGENT);
    if (row === undefined) return `no network agent runs on host ${host}`;
    if (row.down_reason !== null) return `the network agent on host ${host} is down: ${row.down_reason}`;
    if (!row.admin_state_up) return `the network agent on host ${host} is disabled`;
    if (!this.alive(row)) return `the network agent on host ${host} has not reported for more than ${this.downTimeSeconds} s`;
    return unmappedPhysicalNetwork(row, segment) ?? row;
  }

  async list(): Promise<ResourceView[]> {
    return (await this.store.agents.list()).map((row) => this.view(row));
  }

  async get(id: string): Promise<ResourceView> {
    return this.view(await this.#row(id));
  }

  async update(id: string, body: AgentUpdate): Promise<ResourceView> {
    await this.#row(id);
    await this.store.agents.update(id, { ...(body.admin_state_up === undefined ? {} : { admin_state_up: body.admin_state_up }), ...(body.description === undefined ? {} : { description: body.description }) });
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.agents.delete(id))) throw notFound('Agent', id);
  }

  async #row(id: string): Promise<AgentRow> {
    const row = await this.store.agents.find(id);
    if (row === undefined) throw notFound('Agent', id);
    return row;
  }

  view(row: AgentRow): ResourceView {
    const configurations = parseJson<Record<string, unknown>>(row.configurations);
    return {
      id: row.id,
      agent_type: row.agent_type,
      binary: row.binary,
      topic: row.topic,
      host: row.host,
      admin_state_up: row.admin_state_up,
      alive: this.alive(row),
      availability_zone: row.availability_zone,
      description: row.description,
      // The reason an agent that reports cannot serve, where an operator reading `agent show` looks.
      configurations: row.down_reason === null ? configurations : { ...configurations, down_reason: row.down_reason },
      created_at: agentTime(row.created_at),
      started_at: agentTime(row.started_at),
      heartbeat_timestamp: agentTime(row.heartbeat_timestamp),
      resources_synced: null,
    };
  }
}

/** One of the mappings an agent reports (physical network → interface or bridge). */
function mappingsOf(row: AgentRow, key: 'interface_mappings' | 'bridge_mappings'): Readonly<Record<string, string>> {
  const mappings = parseJson<Record<string, unknown>>(row.configurations)[key];
  if (typeof mappings !== 'object' || mappings === null) return {};
  return Object.fromEntries(Object.entries(mappings).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/**
 * A flat or vlan segment's physical network missing from the agent's mappings
 * (interface_mappings and bridge_mappings, as Neutron reads them; a bridge carries flat networks
 * only, so a vlan network needs an interface). An agent that maps none binds no flat or vlan
 * port (the all-in-one maps `public` to a bridge of its own, see network-datapaths.ts).
 */
function unmappedPhysicalNetwork(row: AgentRow, segment: BindingSegment): string | undefined {
  if ((segment.network_type !== 'flat' && segment.network_type !== 'vlan') || segment.physical_network === null) return undefined;
  const interfaces = Object.keys(mappingsOf(row, 'interface_mappings'));
  const bridges = Object.keys(mappingsOf(row, 'bridge_mappings'));
  const mapped = [...new Set([...interfaces, ...bridges])];
  if (interfaces.includes(segment.physical_network)) return undefined;
  if (bridges.includes(segment.physical_network)) {
    if (segment.network_type === 'flat') return undefined;
    return `the network agent on host ${row.host} maps physical network ${segment.physical_network} only to a bridge (bridge_mappings), which carries flat networks; the vlan network needs physical_interface_mappings`;
  }
  const maps = mapped.length === 0 ? 'none' : mapped.sort().join(', ');
  return `the network agent on host ${row.host} has no mapping for physical network ${segment.physical_network} of the ${segment.network_type} network (it maps ${maps})`;
}
