import type { Kysely } from 'kysely';
import type { Database } from '../../../common/db/database.js';
import { fromDbTimestamp, toDbTimestamp } from '../../../common/db/timestamps.js';
import type { RevocationEvent, RevocationStore } from '../revocation.js';
import type { TokenTables } from './tables.js';

/** Revocation events in the shared database, so every API process sees every revocation. */
export class DbRevocationStore implements RevocationStore {
  readonly #db: Kysely<TokenTables>;
  readonly #now: () => Date;

  constructor(database: Database, options: { readonly now?: () => Date } = {}) {
    this.#db = database.kysely.withTables<TokenTables>();
    this.#now = options.now ?? (() => new Date());
  }

  async add(event: RevocationEvent): Promise<void> {
    await this.#db
      .insertInto('identity_revocation_events')
      .values({
        audit_id: event.auditId ?? null,
        user_id: event.userId ?? null,
        project_id: event.projectId ?? null,
        domain_id: event.domainId ?? null,
        application_credential_id: event.applicationCredentialId ?? null,
        trust_id: event.trustId ?? null,
        issued_before: toDbTimestamp(event.issuedBefore),
        revoked_at: toDbTimestamp(this.#now()),
      })
      .execute();
  }

  async list(since?: Date): Promise<RevocationEvent[]> {
    let query = this.#db.selectFrom('identity_revocation_events').selectAll().orderBy('id');
    if (since !== undefined) query = query.where('issued_before', '>=', toDbTimestamp(since));
    const rows = await query.execute();
    return rows.map((row) => ({
      ...(row.audit_id === null ? {} : { auditId: row.audit_id }),
      ...(row.user_id === null ? {} : { userId: row.user_id }),
      ...(row.project_id === null ? {} : { projectId: row.project_id }),
      ...(row.domain_id === null ? {} : { domainId: row.domain_id }),
      ...(row.application_credential_id === null ? {} : { applicationCredentialId: row.application_credential_id }),
      ...(row.trust_id === null ? {} : { trustId: row.trust_id }),
      issuedBefore: fromDbTimestamp(row.issued_before),
    }));
  }

  async prune(before: Date): Promise<void> {
    await this.#db.deleteFrom('identity_revocation_events').where('issued_before', '<', toDbTimestamp(before)).execute();
  }
}
