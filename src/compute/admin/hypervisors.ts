import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { NotFound } from '../../common/errors/errors.js';
import type { ServiceRecord, ServiceRegistry } from '../../common/service/service-registry.js';
import type { ComputeNodesTable, ComputeTables } from '../db/tables.js';
import { COMPUTE_BINARY } from './availability-zones.js';

/** A compute node with what os-hypervisors adds: its service and the instances it runs. */
export interface Hypervisor {
  readonly node: Selectable<ComputeNodesTable>;
  readonly service: ServiceRecord | undefined;
  /** Live instances on the node. */
  readonly runningVms: number;
  /** Instances on the node with a task in progress (Nova's current_workload). */
  readonly currentWorkload: number;
}

/** Nova's os-hypervisors: compute nodes joined with their nova-compute service and instance counts. */
export class Hypervisors {
  readonly #db: Kysely<ComputeTables>;

  constructor(
    database: Database,
    private readonly registry: ServiceRegistry,
  ) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  async list(): Promise<Hypervisor[]> {
    const nodes = await this.#db.selectFrom('compute_nodes').selectAll().orderBy('id').execute();
    return this.#withUsage(nodes);
  }

  /** By the integer id 2.1 shows; anything else is 404, as Nova's ComputeHostNotFound. */
  async get(id: string): Promise<Hypervisor> {
    const number = /^\d+$/.test(id) ? Number(id) : undefined;
    const node = number === undefined ? undefined : await this.#db.selectFrom('compute_nodes').selectAll().where('id', '=', number).executeTakeFirst();
    if (node === undefined) throw new NotFound(`Hypervisor with ID '${id}' could not be found.`);
    return (await this.#withUsage([node]))[0] as Hypervisor;
  }

  async #withUsage(nodes: readonly Selectable<ComputeNodesTable>[]): Promise<Hypervisor[]> {
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
    return nodes.map((node) => {
      const count = byNode.get(node.hypervisor_hostname);
      return {
        node,
        service: services.find((service) => service.host === node.host),
        runningVms: Number(count?.vms ?? 0),
        currentWorkload: Number(count?.busy ?? 0),
      };
    });
  }
}
