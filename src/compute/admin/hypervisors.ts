import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { BadRequest, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ServiceRecord, ServiceRegistry } from '../../common/service/service-registry.js';
import type { ComputeNodesTable, ComputeTables } from '../db/tables.js';
import { COMPUTE_BINARY } from './availability-zones.js';

const LOG = getLogger('nimbus.compute.api.hypervisors');

/** A compute node with what os-hypervisors adds: its service and the instances it runs. */
export interface Hypervisor {
  readonly node: Selectable<ComputeNodesTable>;
  readonly service: ServiceRecord;
  /** Live instances on the node. */
  readonly runningVms: number;
  /** Instances on the node with a task in progress (Nova's current_workload). */
  readonly currentWorkload: number;
}

/** A server on a hypervisor's host, as `with_servers` lists it. */
export interface HostedServer {
  readonly name: string;
  readonly uuid: string;
}

/** How os-hypervisors names a node: the integer id before 2.53, the uuid from then on. */
export type NodeKey = { readonly id: number } | { readonly uuid: string };

export interface HypervisorPage {
  readonly limit: number;
  /** The last node of the previous page; 400 when there is no such node, as Nova's MarkerNotFound. */
  readonly marker?: { readonly text: string; readonly key: NodeKey };
}

/**
 * Nova's os-hypervisors: compute nodes joined with their nova-compute service and instance
 * counts. A node whose service is gone is left out of lists, as Nova does.
 */
export class Hypervisors {
  readonly #db: Kysely<ComputeTables>;

  constructor(
    database: Database,
    private readonly registry: ServiceRegistry,
  ) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  /** Nodes in id order, a page of them when `page` is given. */
  async list(page?: HypervisorPage): Promise<Hypervisor[]> {
    let query = this.#db.selectFrom('compute_nodes').selectAll().orderBy('id');
    if (page !== undefined) {
      if (page.marker !== undefined) {
        const marker = await this.#find(page.marker.key);
        if (marker === undefined) throw new BadRequest(`marker [${page.marker.text}] not found`);
        query = query.where('id', '>', marker.id);
      }
      query = query.limit(page.limit);
    }
    return this.#withUsage(await query.execute());
  }

  /** Nodes whose hypervisor_hostname contains `pattern` (SQL LIKE, as Nova); none is 404. */
  async search(pattern: string): Promise<Hypervisor[]> {
    const nodes = await this.#db.selectFrom('compute_nodes').selectAll().where('hypervisor_hostname', 'like', `%${pattern}%`).orderBy('id').execute();
    if (nodes.length === 0) throw new NotFound(`No hypervisor matching '${pattern}' could be found.`);
    return this.#withUsage(nodes);
  }

  /** One node; `text` is the id as the client wrote it, for Nova's 404. */
  async get(key: NodeKey, text: string): Promise<Hypervisor> {
    const node = await this.#find(key);
    const found = node === undefined ? undefined : (await this.#withUsage([node]))[0];
    if (found === undefined) throw new NotFound(`Hypervisor with ID '${text}' could not be found.`);
    return found;
  }

  /** The live servers on a host (Nova's instance_get_all_by_host). */
  async serversOn(host: string): Promise<HostedServer[]> {
    const rows = await this.#db
      .selectFrom('compute_instances')
      .select(['display_name', 'uuid'])
      .where('host', '=', host)
      .where('deleted', '=', false)
      .orderBy('created_at')
      .orderBy('uuid')
      .execute();
    return rows.map((row) => ({ name: row.display_name, uuid: row.uuid }));
  }

  #find(key: NodeKey): Promise<Selectable<ComputeNodesTable> | undefined> {
    const query = this.#db.selectFrom('compute_nodes').selectAll();
    return ('id' in key ? query.where('id', '=', key.id) : query.where('uuid', '=', key.uuid.toLowerCase())).executeTakeFirst();
  }

  async #withUsage(nodes: readonly Selectable<ComputeNodesTable>[]): Promise<Hypervisor[]> {
    if (nodes.length === 0) return [];
    const [services, counts] = await Promise.all([
      this.registry.list({ binary: COMPUTE_BINARY }),
      this.#db
        .selectFrom('compute_instances')
        .select((eb) => [
          'node',
          eb.fn.countAll<number | string | bigint>().as('vms'),
          eb.fn.count<number | string | bigint>('task_state').as('busy'),
        ])
        .where('deleted', '=', false)
        .where('node', 'is not', null)
        .groupBy('node')
        .execute(),
    ]);
    const byNode = new Map(counts.map((row) => [row.node, row]));
    const byHost = new Map(services.map((service) => [service.host, service]));
    return nodes.flatMap((node) => {
      const service = byHost.get(node.host);
      if (service === undefined) {
        LOG.debug(`Unable to find service for compute node ${node.host}. The service may be deleted and compute nodes need to be manually cleaned up.`);
        return [];
      }
      const count = byNode.get(node.hypervisor_hostname);
      return [{ node, service, runningVms: Number(count?.vms ?? 0), currentWorkload: Number(count?.busy ?? 0) }];
    });
  }
}
