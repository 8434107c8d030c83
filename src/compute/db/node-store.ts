/**
 * compute_nodes (what agents report) and compute_allocations (what the scheduler claimed): the
 * conductor writes them; os-hypervisors, server create's host check and the scheduler read them.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import type { ComputeNodesTable, ComputeTables } from './tables.js';
import { DEFAULT_ALLOCATION_RATIOS } from '../scheduler/host-state.js';
import type { Resources } from '../scheduler/resources.js';
import type { DriverCapabilities, ReportedCapabilities } from '../virt/capabilities.js';
import type { HostResources } from '../virt/host-resources.js';

export type ComputeNodeRow = Selectable<ComputeNodesTable>;

/** How os-hypervisors names a node: the integer id before 2.53, the uuid from then on. */
export type NodeKey = { readonly id: number } | { readonly uuid: string };

export class NodeStore {
  readonly #db: Kysely<ComputeTables>;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  /** Creates or refreshes the host's node row from a resource report (and its driver's capabilities); returns its id. */
  async upsert(host: string, resources: HostResources, capabilities?: DriverCapabilities): Promise<number> {
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
      // Beside the string stats the scheduler's filters read; those skip these flags and formats.
      ...(capabilities === undefined ? {} : { capabilities: JSON.stringify(capabilities) }),
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
        uuid: randomUUID(),
        host,
        host_ip: null,
        disk_available_least: null,
        capabilities: '{}',
        ...values,
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

  /** The driver capabilities the host last reported; undefined for an unknown host or one that never reported them. */
  async capabilitiesOf(host: string): Promise<ReportedCapabilities | undefined> {
    const row = await this.#db.selectFrom('compute_nodes').select('capabilities').where('host', '=', host).executeTakeFirst();
    if (row === undefined) return undefined;
    const parsed: unknown = JSON.parse(row.capabilities || '{}');
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    return Object.fromEntries(Object.entries(parsed).filter(([key, value]) => key.startsWith('supports') && typeof value === 'boolean'));
  }

  /** Nodes in id order: all, or `limit` after the node with id `afterId`. */
  list(page: { readonly afterId?: number; readonly limit?: number } = {}): Promise<ComputeNodeRow[]> {
    let query = this.#db.selectFrom('compute_nodes').selectAll().orderBy('id');
    if (page.afterId !== undefined) query = query.where('id', '>', page.afterId);
    if (page.limit !== undefined) query = query.limit(page.limit);
    return query.execute();
  }

  /** Nodes whose hypervisor_hostname contains `pattern` (SQL LIKE, as Nova). */
  search(pattern: string): Promise<ComputeNodeRow[]> {
    return this.#db.selectFrom('compute_nodes').selectAll().where('hypervisor_hostname', 'like', `%${pattern}%`).orderBy('id').execute();
  }

  find(key: NodeKey): Promise<ComputeNodeRow | undefined> {
    const query = this.#db.selectFrom('compute_nodes').selectAll();
    return ('id' in key ? query.where('id', '=', key.id) : query.where('uuid', '=', key.uuid.toLowerCase())).executeTakeFirst();
  }

  /** The first node on `host` and/or named `node` (Nova's _validate_host_or_node), or undefined. */
  async match(host: string | undefined, node: string | undefined): Promise<{ host: string; hypervisor_hostname: string } | undefined> {
    let select = this.#db.selectFrom('compute_nodes').select(['host', 'hypervisor_hostname']);
    if (host !== undefined) select = select.where('host', '=', host);
    if (node !== undefined) select = select.where('hypervisor_hostname', '=', node);
    return select.executeTakeFirst();
  }

  /** The host's first node (Nova's get_first_node_by_host_for_old_compat). */
  firstOnHost(host: string): Promise<ComputeNodeRow | undefined> {
    return this.#db.selectFrom('compute_nodes').selectAll().where('host', '=', host).orderBy('id').executeTakeFirst();
  }

  /** Whether the host has a compute node (Nova's ComputeNodeList.get_all_by_host finds one). */
  async hasHost(host: string): Promise<boolean> {
    return (await this.#id(host)) !== undefined;
  }

  /** A deleted compute service's nodes go with it. */
  async deleteHost(host: string): Promise<void> {
    await this.#db.deleteFrom('compute_nodes').where('host', '=', host).execute();
  }

  async #id(host: string): Promise<number | undefined> {
    const row = await this.#db.selectFrom('compute_nodes').select('id').where('host', '=', host).executeTakeFirst();
    return row?.id;
  }
}
