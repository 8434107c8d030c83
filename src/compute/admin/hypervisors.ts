import { BadRequest, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ServiceRecord, ServiceRegistry } from '../../common/service/service-registry.js';
import type { ComputeNodeRow, NodeKey, NodeStore } from '../db/node-store.js';
import type { UsageStore } from '../db/usage-store.js';
import { COMPUTE_BINARY } from '../agent/rpc-api.js';

const LOG = getLogger('nimbus.compute.api.hypervisors');

/** A compute node with what os-hypervisors adds: its service and the instances it runs. */
export interface Hypervisor {
  readonly node: ComputeNodeRow;
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

export type { NodeKey } from '../db/node-store.js';

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
  constructor(
    private readonly nodes: NodeStore,
    private readonly usage: UsageStore,
    private readonly registry: ServiceRegistry,
  ) {}

  /** Nodes in id order, a page of them when `page` is given. */
  async list(page?: HypervisorPage): Promise<Hypervisor[]> {
    if (page === undefined) return this.#withUsage(await this.nodes.list());
    let afterId: number | undefined;
    if (page.marker !== undefined) {
      const marker = await this.nodes.find(page.marker.key);
      if (marker === undefined) throw new BadRequest(`marker [${page.marker.text}] not found`);
      afterId = marker.id;
    }
    return this.#withUsage(await this.nodes.list({ limit: page.limit, ...(afterId === undefined ? {} : { afterId }) }));
  }

  /** Nodes whose hypervisor_hostname contains `pattern` (SQL LIKE, as Nova); none is 404. */
  async search(pattern: string): Promise<Hypervisor[]> {
    const nodes = await this.nodes.search(pattern);
    if (nodes.length === 0) throw new NotFound(`No hypervisor matching '${pattern}' could be found.`);
    return this.#withUsage(nodes);
  }

  /** One node; `text` is the id as the client wrote it, for Nova's 404. */
  async get(key: NodeKey, text: string): Promise<Hypervisor> {
    const node = await this.nodes.find(key);
    const found = node === undefined ? undefined : (await this.#withUsage([node]))[0];
    if (found === undefined) throw new NotFound(`Hypervisor with ID '${text}' could not be found.`);
    return found;
  }

  /** The live servers on a host (Nova's instance_get_all_by_host). */
  serversOn(host: string): Promise<HostedServer[]> {
    return this.usage.serversOn(host);
  }

  async #withUsage(nodes: readonly ComputeNodeRow[]): Promise<Hypervisor[]> {
    if (nodes.length === 0) return [];
    const [services, byNode] = await Promise.all([this.registry.list({ binary: COMPUTE_BINARY }), this.usage.countsByNode()]);
    const byHost = new Map(services.map((service) => [service.host, service]));
    return nodes.flatMap((node) => {
      const service = byHost.get(node.host);
      if (service === undefined) {
        LOG.debug(`Unable to find service for compute node ${node.host}. The service may be deleted and compute nodes need to be manually cleaned up.`);
        return [];
      }
      const count = byNode.get(node.hypervisor_hostname);
      return [{ node, service, runningVms: count?.vms ?? 0, currentWorkload: count?.busy ?? 0 }];
    });
  }
}
