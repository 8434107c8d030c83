/**
 * Test-only helpers for the identity tests: fresh managers on a migrated database of each
 * engine, a reversible fake password hasher, and a recorder of identity events.
 */
import { withOpenDatabase, withTestDatabase } from '../../../../test/support/databases.js';
import type { Database } from '../../../common/db/database.js';
import type { DialectName } from '../../../common/db/engine.js';
import { migrateToLatest } from '../../../common/db/migrator.js';
import { identityMigrations } from '../../db/migrations/index.js';
import { DEFAULT_DOMAIN_ID } from '../domains.js';
import type { IdentityEvents } from '../events.js';
import { createIdentityManagers, type IdentityManagers } from '../index.js';
import type { LockoutPolicy } from '../../passwords/lockout.js';
import type { PasswordHasher } from '../../passwords/password-hasher.js';
import { passwordRules } from '../../passwords/password-rules.js';

/** Stores `fake:<password>`: fast, and a test can see that the clear password was not stored. */
export const FAKE_HASHER: PasswordHasher = {
  hash: (plain) => Promise.resolve(`fake:${[...plain].reverse().join('')}`),
  verify: (plain, hash) => Promise.resolve(hash === `fake:${[...plain].reverse().join('')}`),
};

/** Every event as `name(args…)`, in order. */
export function recordingEvents(): { events: IdentityEvents; log: string[] } {
  const log: string[] = [];
  const events: IdentityEvents = {
    userDisabledOrDeleted: (userId) => void log.push(`userDisabledOrDeleted(${userId})`),
    passwordChanged: (userId) => void log.push(`passwordChanged(${userId})`),
    projectDisabledOrDeleted: (projectId) => void log.push(`projectDisabledOrDeleted(${projectId})`),
    domainDisabledOrDeleted: (domainId) => void log.push(`domainDisabledOrDeleted(${domainId})`),
    roleAssignmentRemoved: (removed) => void log.push(`roleAssignmentRemoved(${JSON.stringify(removed)})`),
    userRemovedFromGroup: (userId, groupId) => void log.push(`userRemovedFromGroup(${userId},${groupId})`),
    applicationCredentialDeleted: (id) => void log.push(`applicationCredentialDeleted(${id})`),
    trustWithdrawn: (id) => void log.push(`trustWithdrawn(${id})`),
    systemAssignmentRemoved: (actor) => void log.push(`systemAssignmentRemoved(${JSON.stringify(actor)})`),
  };
  return { events, log };
}

export interface IdentityFixture {
  readonly managers: IdentityManagers;
  readonly db: Database;
  /** Events reported so far. */
  readonly log: string[];
  /** Moves the managers' clock. */
  readonly advance: (ms: number) => void;
}

/** Runs fn with managers on a fresh, migrated database holding only the Default domain. */
export async function withIdentity(
  dialect: DialectName,
  fn: (fixture: IdentityFixture) => Promise<void>,
  options: { lockout?: LockoutPolicy; catalogCacheSeconds?: number } = {},
): Promise<void> {
  await withTestDatabase(dialect, (url) =>
    withOpenDatabase(url, async (db) => {
      await migrateToLatest(db, identityMigrations);
      let now = new Date('2026-11-23T10:00:00.000Z').getTime();
      const { events, log } = recordingEvents();
      const managers = createIdentityManagers(db, {
        passwords: { hasher: FAKE_HASHER, rules: passwordRules({ minLength: 3 }), lockout: options.lockout },
        events,
        now: () => new Date(now),
        catalogCacheSeconds: options.catalogCacheSeconds,
      });
      await managers.domains.create({ id: DEFAULT_DOMAIN_ID, name: 'Default' });
      await fn({ managers, db, log, advance: (ms) => (now += ms) });
    }),
  );
}
