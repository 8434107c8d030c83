import type { Generated } from 'kysely';
import type { DbTimestamp } from '../../db/timestamps.js';

/** A row of `services` (created by migrations/2026-11-22-services.ts). */
// Type aliases, not interfaces: Kysely's withTables() needs their implicit index signature.
export type ServicesTable = {
  id: Generated<number>;
  /** Set on insert (2026-12-01 migration); the compute API shows it from 2.53. */
  uuid: string | null;
  /** The program: nova-compute, nova-conductor, nova-scheduler, nimbus-api … */
  binary: string;
  host: string;
  /** The bus topic the service listens on. */
  topic: string;
  disabled: Generated<boolean>;
  disabled_reason: string | null;
  /** Set by an operator (os-services force-down) so the service reads as down at once. */
  forced_down: Generated<boolean>;
  report_count: Generated<number>;
  last_seen_at: DbTimestamp | null;
  created_at: DbTimestamp;
  updated_at: DbTimestamp | null;
};

export type ServiceRegistryTables = {
  services: ServicesTable;
};
