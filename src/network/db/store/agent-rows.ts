import type { Kysely, Selectable, Updateable } from 'kysely';
import type { AgentsTable, NetworkTables } from '../tables.js';

export type AgentRow = Selectable<AgentsTable>;

/** What an agent's state report writes: everything but the row's identity and the operator's settings. */
export type AgentReport = Pick<AgentRow, 'agent_type' | 'binary' | 'topic' | 'host' | 'availability_zone' | 'configurations' | 'down_reason' | 'started_at' | 'heartbeat_timestamp'>;

/** Network agents by (type, host), with their heartbeats. */
export class AgentRows {
  constructor(private readonly db: Kysely<NetworkTables>) {}

  async list(): Promise<AgentRow[]> {
    return this.db.selectFrom('net_agents').selectAll().orderBy('host').orderBy('agent_type').execute();
  }

  async find(id: string): Promise<AgentRow | undefined> {
    return this.db.selectFrom('net_agents').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The agents of one type (the tunnel endpoints are those of the Linux bridge agents). */
  async ofType(agentType: string): Promise<AgentRow[]> {
    return this.db.selectFrom('net_agents').selectAll().where('agent_type', '=', agentType).orderBy('host').execute();
  }

  async ofHost(host: string): Promise<AgentRow[]> {
    return this.db.selectFrom('net_agents').selectAll().where('host', '=', host).execute();
  }

  /** Updates the (type, host) row's report; false when there is none yet. */
  async report(report: AgentReport): Promise<boolean> {
    const { agent_type, host, ...rest } = report;
    const result = await this.db.updateTable('net_agents').set(rest).where('agent_type', '=', agent_type).where('host', '=', host).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Fails with a unique violation when a concurrent report made the (type, host) row first. */
  async insert(row: AgentRow): Promise<void> {
    await this.db.insertInto('net_agents').values(row).execute();
  }

  async update(id: string, changes: Pick<Updateable<AgentsTable>, 'admin_state_up' | 'description'>): Promise<boolean> {
    const result = await this.db.updateTable('net_agents').set(changes).where('id', '=', id).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('net_agents').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
