import type { ServiceMigrations } from '../../../../common/db/migrator.js';
import * as revocationEvents from './2026-11-22-revocation-events.js';
import * as revocationByAppCred from './2026-12-06-revocation-application-credential.js';
import * as revocationByTrust from './2026-12-06-revocation-trust.js';

/** The token revocation list's schema history, in order. */
export const tokenMigrations: ServiceMigrations = {
  name: 'identity_tokens',
  migrations: {
    '2026-11-22-revocation-events': revocationEvents,
    '2026-12-06-revocation-application-credential': revocationByAppCred,
    '2026-12-06-revocation-trust': revocationByTrust,
  },
};
