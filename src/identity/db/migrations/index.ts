import type { ServiceMigrations } from '../../../common/db/migrator.js';
import * as catalog from './2026-11-22-identity-catalog.js';
import * as resources from './2026-11-22-identity-resources.js';
import * as applicationCredentials from './2026-12-06-identity-application-credentials.js';
import * as systemAssignments from './2026-12-06-identity-system-assignments.js';
import * as trusts from './2026-12-06-identity-trusts.js';

/** Identity's schema history, in order. */
export const identityMigrations: ServiceMigrations = {
  name: 'identity',
  migrations: {
    '2026-11-22-identity-catalog': catalog,
    '2026-11-22-identity-resources': resources,
    '2026-12-06-identity-application-credentials': applicationCredentials,
    '2026-12-06-identity-trusts': trusts,
    '2026-12-06-identity-system-assignments': systemAssignments,
  },
};
