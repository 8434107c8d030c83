/** compute_nodes (what agents report) and compute_allocations (what the scheduler claimed), as the conductor writes them. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import type { ComputeTables } from './tables.js';
import { DEFAULT_ALLOCATION_RATIOS } from '../scheduler/host-state.js';
import type { Resources } from '../scheduler/resources.js';
import type { HostResources } from '../virt/host-resources.js';

export class NodeStore {
  readonly #db: Kysely<ComputeTables>;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  /** Creates or refreshes the host's node row from a resource report; returns its id. */
  async upsert(host: string, resources: HostResources): Promise<number> {
    const now = toDbTimestamp(new Date());
    const values = {
      hypervisor_hostname: resources.hypervisorHostname,
      vcpus: resources.vcpus,
      memory_mb: resources.memoryMb,
      local_gb: resources.localGb,
      vcpus_used: resources.vcpusUsed,
      memory_mb_used: resources.memoryMbUsed,
      local_gb_used: resources.localGbUsed,
      running_vms: resources.runningVms,
      hypervisor_type: resources.hypervisorType,
      hypervisor_version: resources.hypervisorVersion,
      cpu_info: JSON.stringify(resources.cpuInfo),
      updated_at: now,
    };
    const existing = await this.#id(host);
    if (existing !== undefined) {
      await this.#db.updateTable('compute_nodes').set(values).where('id', '=', existing).execute();
      return existing;
    }
    await this.#db
      .insertInto('compute_nodes')
      .values({
        ...values,
        uuid: randomUUID(),
        host,
        host_ip: null,
        disk_available_least: null,
        capabilities: '{}',
        cpu_allocation_ratio: DEFAULT_ALLOCATION_RATIOS.cpu,
        ram_allocation_ratio: DEFAULT_ALLOCATION_RATIOS.ram,
        disk_allocation_ratio: DEFAULT_ALLOCATION_RATIOS.disk,
        created_at: now,
      })
      .execute();
    const id = await this.#id(host);
    if (id === undefined) throw new Error(`compute node of ${host} vanished after insert`);
    return id;
  }

  async recordAllocation(instanceUuid: string, host: string, resources: Resources): Promise<void> {
    const nodeId = await this.#id(host);
    if (nodeId === undefined) return;
    await this.#db
      .insertInto('compute_allocations')
      .values({
        consumer_uuid: instanceUuid,
        node_id: nodeId,
        vcpus: resources.vcpus,
        memory_mb: resources.memoryMb,
        disk_gb: Math.ceil(resources.diskMb / 1024),
        created_at: toDbTimestamp(new Date()),
      })
      .execute();
  }

  async hasAllocations(consumer: string): Promise<boolean> {
    return (await this.#db.selectFrom('compute_allocations').select('consumer_uuid').where('consumer_uuid', '=', consumer).executeTakeFirst()) !== undefined;
  }

  /** Gives one consumer's allocations to another (a confirmed resize: the migration's become the instance's). */
  async moveAllocations(fromConsumer: string, toConsumer: string): Promise<void> {
    await this.#db.updateTable('compute_allocations').set({ consumer_uuid: toConsumer }).where('consumer_uuid', '=', fromConsumer).execute();
  }

  /** Removes the instance's allocations, on one host or everywhere. */
  async deleteAllocations(instanceUuid: string, host?: string): Promise<void> {
    let query = this.#db.deleteFrom('compute_allocations').where('consumer_uuid', '=', instanceUuid);
    if (host !== undefined) {
      const nodeId = await this.#id(host);
      if (nodeId === undefined) return;
      query = query.where('node_id', '=', nodeId);
    }
    await query.execute();
  }

  async #id(host: string): Promise<number | undefined> {
    const row = await this.#db.selectFrom('compute_nodes').select('id').where('host', '=', host).executeTakeFirst();
    return row?.id;
  }
}
