import type { ServiceMigrations } from '../../../common/db/migrator.js';
import * as instances from './2026-11-22-compute-instances.js';
import * as resources from './2026-11-22-compute-resources.js';
import * as userQuotas from './2026-12-01-compute-user-quotas.js';
import * as consoleAuthTokens from './2026-12-05-compute-console-auth-tokens.js';
import * as requestSteps from './2026-12-05-compute-request-steps.js';
import * as volumeConnections from './2026-12-05-compute-volume-connections.js';
import * as infoCaches from './2026-12-05-compute-info-caches.js';
import * as bdmSnapshots from './2026-12-06-compute-bdm-snapshots.js';
import * as bdmUuids from './2026-12-06-compute-bdm-uuids.js';
import * as faultInjections from './2026-12-06-compute-fault-injections.js';
import * as conductorTasks from './2026-12-06-compute-conductor-tasks.js';
import * as requestedZone from './2026-12-07-compute-requested-zone.js';

/** The compute service's schema history, in order. */
export const computeMigrations: ServiceMigrations = {
  name: 'compute',
  migrations: {
    '2026-11-22-compute-instances': instances,
    '2026-11-22-compute-resources': resources,
    '2026-12-01-compute-user-quotas': userQuotas,
    '2026-12-05-compute-console-auth-tokens': consoleAuthTokens,
    '2026-12-05-compute-request-steps': requestSteps,
    '2026-12-05-compute-volume-connections': volumeConnections,
    '2026-12-05-compute-info-caches': infoCaches,
    '2026-12-06-compute-bdm-snapshots': bdmSnapshots,
    '2026-12-06-compute-bdm-uuids': bdmUuids,
    '2026-12-06-compute-fault-injections': faultInjections,
    '2026-12-06-compute-conductor-tasks': conductorTasks,
    '2026-12-07-compute-requested-zone': requestedZone,
  },
};
