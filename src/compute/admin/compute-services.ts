import type { Kysely } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { NotFound } from '../../common/errors/errors.js';
import type { ServiceRegistryTables } from '../../common/service/db/tables.js';
import type { ServiceRecord, ServiceRegistry } from '../../common/service/service-registry.js';
import type { AvailabilityZones } from './availability-zones.js';

/** A service as os-services shows it. */
export interface ComputeService {
  readonly record: ServiceRecord;
  readonly zone: string;
}

/** Nova's os-services over the service registry: list with zones and up/down, enable and disable. */
export class ComputeServices {
  readonly #db: Kysely<ServiceRegistryTables>;

  constructor(
    database: Database,
    private readonly registry: ServiceRegistry,
    private readonly zones: AvailabilityZones,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#db = database.kysely.withTables<ServiceRegistryTables>();
  }

  async list(filter: { readonly binary?: string; readonly host?: string }): Promise<ComputeService[]> {
    const [records, byHost] = await Promise.all([this.registry.list(filter), this.zones.zoneByHost()]);
    return Promise.all(records.map(async (record) => ({ record, zone: await this.zones.zoneOf(record, byHost) })));
  }

  /** Disables (with an optional reason) or enables the (host, binary) service; 404 when there is none. */
  async setDisabled(host: string, binary: string, disabled: boolean, reason: string | null): Promise<void> {
    const result = await this.#db
      .updateTable('services')
      .set({ disabled, disabled_reason: disabled ? reason : null, updated_at: toDbTimestamp(this.now()) })
      .where('host', '=', host)
      .where('binary', '=', binary)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new NotFound(`Service ${binary} on host ${host} could not be found.`);
  }
}
