import type { Generated } from 'kysely';
import type { DbTimestamp } from '../../../common/db/timestamps.js';

/** A row of `identity_revocation_events` (created by migrations/2026-11-22-revocation-events.ts, widened by later ones). */
// Type aliases, not interfaces: Kysely's withTables() needs their implicit index signature.
export type RevocationEventsTable = {
  id: Generated<number>;
  audit_id: string | null;
  user_id: string | null;
  project_id: string | null;
  domain_id: string | null;
  application_credential_id: string | null;
  trust_id: string | null;
  issued_before: DbTimestamp;
  revoked_at: DbTimestamp;
};

export type TokenTables = {
  identity_revocation_events: RevocationEventsTable;
};
