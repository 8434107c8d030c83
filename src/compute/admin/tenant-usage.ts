import type { Selectable } from 'kysely';
import { fromDbTimestamp } from '../../common/db/timestamps.js';
import type { InstancesTable } from '../db/tables.js';
import type { UsagePeriod, UsageStore } from '../db/usage-store.js';

/** One server's share of a period, as os-simple-tenant-usage's server_usages prints it. */
export interface ServerUsage {
  readonly instance_id: string;
  readonly name: string;
  readonly tenant_id: string;
  readonly flavor: string;
  readonly hours: number;
  readonly memory_mb: number;
  readonly local_gb: number;
  readonly vcpus: number;
  readonly started_at: Date;
  readonly ended_at: Date | null;
  readonly state: string;
  /** Seconds from launch to termination, or to now while it runs. */
  readonly uptime: number;
}

/** A project's totals over the period, with its servers. */
export interface TenantUsage {
  readonly tenant_id: string;
  readonly server_usages: ServerUsage[];
  total_local_gb_usage: number;
  total_vcpus_usage: number;
  total_memory_mb_usage: number;
  total_hours: number;
}

export type { UsagePeriod } from '../db/usage-store.js';

const HOUR_MS = 3_600_000;

/**
 * Nova's simple tenant usage: servers (deleted ones too) that ran during a period, billed by the
 * hours of it they ran, in Nova's (project_id, uuid) order.
 */
export class TenantUsages {
  constructor(
    private readonly usage: UsageStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Per-project usage in first-seen order, and every server counted (for the next link). */
  async forPeriod(period: UsagePeriod): Promise<{ tenants: TenantUsage[]; servers: ServerUsage[] }> {
    const tenants = new Map<string, TenantUsage>();
    const servers: ServerUsage[] = [];
    for (const row of await this.usage.activeIn(period)) {
      const server = this.#serverUsage(row, period);
      servers.push(server);
      let tenant = tenants.get(server.tenant_id);
      if (tenant === undefined) {
        tenant = { tenant_id: server.tenant_id, server_usages: [], total_local_gb_usage: 0, total_vcpus_usage: 0, total_memory_mb_usage: 0, total_hours: 0 };
        tenants.set(server.tenant_id, tenant);
      }
      tenant.server_usages.push(server);
      tenant.total_local_gb_usage += server.local_gb * server.hours;
      tenant.total_vcpus_usage += server.vcpus * server.hours;
      tenant.total_memory_mb_usage += server.memory_mb * server.hours;
      tenant.total_hours += server.hours;
    }
    return { tenants: [...tenants.values()], servers };
  }

  /** Nova's _hours_for and the server's line; only launched servers reach here. */
  #serverUsage(row: Selectable<InstancesTable>, period: UsagePeriod): ServerUsage {
    const launched = fromDbTimestamp(row.launched_at ?? row.created_at);
    const terminated = row.terminated_at === null ? null : fromDbTimestamp(row.terminated_at);
    const from = Math.max(launched.getTime(), period.start.getTime());
    const until = terminated === null ? period.stop.getTime() : Math.min(period.stop.getTime(), terminated.getTime());
    const flavor = (JSON.parse(row.flavor) as { cur?: { name?: string } }).cur?.name ?? '';
    return {
      instance_id: row.uuid,
      name: row.display_name,
      tenant_id: row.project_id,
      flavor,
      hours: Math.max(0, until - from) / HOUR_MS,
      memory_mb: row.memory_mb,
      local_gb: row.root_gb + row.ephemeral_gb,
      vcpus: row.vcpus,
      started_at: launched,
      ended_at: terminated,
      state: terminated === null ? row.vm_state : 'terminated',
      uptime: Math.trunc(((terminated ?? this.now()).getTime() - launched.getTime()) / 1000),
    };
  }
}
