import { BadRequest, Conflict, messageOf, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ServiceRecord, ServiceRegistry } from '../../common/service/service-registry.js';
import type { MigrationStore } from '../db/migration-store.js';
import type { NodeStore } from '../db/node-store.js';
import type { UsageStore } from '../db/usage-store.js';
import type { ServiceStatus } from '../scheduler/host-state.js';
import type { Aggregates } from './aggregates.js';
import { COMPUTE_BINARY } from '../agent/rpc-api.js';
import type { AvailabilityZones } from './availability-zones.js';
import { isNovaService } from './nova-services.js';

const LOG = getLogger('nimbus.compute.api.services');

/** A service as os-services shows it. */
export interface ComputeService {
  readonly record: ServiceRecord;
  readonly zone: string;
}

/** What an operator may change on a nova-compute service; absent fields stay as they are. */
export interface ServiceChanges {
  readonly disabled?: boolean;
  readonly disabledReason?: string | null;
  readonly forcedDown?: boolean;
}

/** How os-services names one service: the integer id before 2.53, the uuid from then on. */
export type ServiceKey = { readonly id: number } | { readonly uuid: string };

/** Tells the scheduler a compute host's operator flags changed, so the next boot sees them. */
export type ServiceChanged = (host: string, status: ServiceStatus) => Promise<void>;

/** The compute stores a service's delete checks and cleans up. */
export interface ComputeServicesStores {
  readonly nodes: NodeStore;
  readonly migrations: MigrationStore;
  readonly usage: UsageStore;
}

/** Nova's os-services over the service registry: list with zones and up/down, update, delete. */
export class ComputeServices {
  constructor(
    private readonly stores: ComputeServicesStores,
    private readonly registry: ServiceRegistry,
    private readonly zones: AvailabilityZones,
    private readonly aggregates: Aggregates,
    private readonly changed: ServiceChanged,
  ) {}

  async list(filter: { readonly binary?: string; readonly host?: string }): Promise<ComputeService[]> {
    const [records, byHost] = await Promise.all([this.registry.list(filter), this.zones.zoneByHost()]);
    return Promise.all(records.filter(isNovaService).map(async (record) => this.#withZone(record, byHost)));
  }

  /** The (host, binary) service for the pre-2.53 actions; 404 as Nova's HostMappingNotFound / HostBinaryNotFound. */
  async byHostAndBinary(host: string, binary: string): Promise<ServiceRecord> {
    const onHost = (await this.registry.list({ host })).filter(isNovaService);
    const found = onHost.find((record) => record.binary === binary);
    if (found !== undefined) return found;
    if (onHost.length === 0) throw new NotFound(`Host '${host}' is not mapped to any cell`);
    throw new NotFound(`Could not find binary ${binary} on host ${host}.`);
  }

  /** One service by id or uuid; `message` is the 404 the caller's API words it with. */
  async get(key: ServiceKey, message: string): Promise<ServiceRecord> {
    const found = await this.registry.find('id' in key ? key : { uuid: key.uuid.toLowerCase() });
    if (found === undefined || !isNovaService(found)) throw new NotFound(message);
    return found;
  }

  async show(record: ServiceRecord): Promise<ComputeService> {
    return this.#withZone(record, await this.zones.zoneByHost());
  }

  /**
   * Applies the changes to a nova-compute service (others are 400, as in Nova), then tells the
   * scheduler at once rather than at its next periodic read. Returns the service as it is now.
   */
  async update(record: ServiceRecord, changes: ServiceChanges): Promise<ServiceRecord> {
    if (record.binary !== COMPUTE_BINARY) {
      throw new BadRequest(`Updating a ${record.binary} service is not supported. Only ${COMPUTE_BINARY} services can be updated.`);
    }
    if (changes.forcedDown === false) await this.#checkForEvacuations(record.host);
    await this.registry.setFlags(record.id, changes);
    const updated = await this.get({ id: record.id }, `Service ${record.id} could not be found.`);
    LOG.info(`Service ${updated.binary} on host ${updated.host} is now ${updated.disabled ? 'disabled' : 'enabled'}${updated.forcedDown ? ', forced down' : ''}`);
    // Only the operator's flags: up/down by heartbeat is the scheduler's own reading.
    await this.#tellScheduler(updated.host, { disabled: updated.disabled, disabledReason: updated.disabledReason, forcedDown: updated.forcedDown });
    return updated;
  }

  /**
   * Nova's service delete: a compute service hosting instances or in a migration is 409; else it
   * leaves its aggregates, its compute nodes go, and the scheduler stops placing anything there.
   */
  async delete(record: ServiceRecord): Promise<void> {
    if (record.binary === COMPUTE_BINARY) {
      if (await this.stores.usage.anyOnHost(record.host)) throw new Conflict('Unable to delete compute service that is hosting instances. Migrate or delete the instances first.');
      await this.#checkNoMigrations(record);
      for (const aggregate of await this.aggregates.list()) {
        if (aggregate.hosts.includes(record.host)) await this.aggregates.removeHost(String(aggregate.row.id), record.host);
      }
      await this.stores.nodes.deleteHost(record.host);
    }
    await this.registry.delete(record.id);
    LOG.info(`Deleted service ${record.binary} on host ${record.host}`);
    if (record.binary === COMPUTE_BINARY) await this.#tellScheduler(record.host, { up: false });
  }

  /** The change is stored either way; a scheduler that misses it reads it at its next refresh. */
  async #tellScheduler(host: string, status: ServiceStatus): Promise<void> {
    try {
      await this.changed(host, status);
    } catch (error) {
      LOG.warning(`Cannot tell the scheduler about the service change on ${host}; it sees it at its next refresh: ${messageOf(error)}`);
    }
  }

  async #checkNoMigrations(record: ServiceRecord): Promise<void> {
    const migrations = await this.stores.migrations.inProgressOn(record.host);
    if (migrations.length === 0) return;
    LOG.info(
      `Unable to delete compute service with id ${record.id} for host ${record.host}. There are ${migrations.length} in-progress migrations involving the host. ` +
        `Migrations (uuid:status): ${migrations.map((migration) => `${migration.uuid}:${migration.status}`).join(',')}`,
    );
    throw new Conflict('Unable to delete compute service that has in-progress migrations. Complete the migrations or delete the instances first.');
  }

  /** Forcing a host up while `done` evacuations still point at it would let the evacuated instances run twice. */
  async #checkForEvacuations(host: string): Promise<void> {
    if (!(await this.stores.migrations.hasDoneEvacuations(host))) return;
    throw new BadRequest(
      `Unable to force up host ${host} as \`done\` evacuation migration records remain associated with the host. ` +
        'Ensure the compute service has been restarted, allowing these records to move to `completed` before retrying this request.',
    );
  }

  async #withZone(record: ServiceRecord, byHost: Map<string, string>): Promise<ComputeService> {
    return { record, zone: await this.zones.zoneOf(record, byHost) };
  }
}
