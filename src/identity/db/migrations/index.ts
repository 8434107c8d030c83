import type { ServiceMigrations } from '../../../common/db/migrator.js';
import * as catalog from './2026-11-22-identity-catalog.js';
import * as resources from './2026-11-22-identity-resources.js';
import * as accessRules from './2026-12-06-identity-access-rules.js';
import * as applicationCredentials from './2026-12-06-identity-application-credentials.js';
import * as credentials from './2026-12-06-identity-credentials.js';
import * as domainConfigs from './2026-12-06-identity-domain-configs.js';
import * as endpointGroups from './2026-12-06-identity-endpoint-groups.js';
import * as oauthConsumers from './2026-12-06-identity-oauth-consumers.js';
import * as policies from './2026-12-06-identity-policies.js';
import * as systemAssignments from './2026-12-06-identity-system-assignments.js';
import * as trusts from './2026-12-06-identity-trusts.js';

/** Identity's schema history, in order. */
export const identityMigrations: ServiceMigrations = {
  name: 'identity',
  migrations: {
    '2026-11-22-identity-catalog': catalog,
    '2026-11-22-identity-resources': resources,
    '2026-12-06-identity-application-credentials': applicationCredentials,
    '2026-12-06-identity-credentials': credentials,
    '2026-12-06-identity-policies': policies,
    '2026-12-06-identity-endpoint-groups': endpointGroups,
    '2026-12-06-identity-oauth-consumers': oauthConsumers,
    '2026-12-06-identity-domain-configs': domainConfigs,
    '2026-12-06-identity-trusts': trusts,
    '2026-12-06-identity-system-assignments': systemAssignments,
    '2026-12-06-identity-access-rules': accessRules,
  },
};
