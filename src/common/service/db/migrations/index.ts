import type { ServiceMigrations } from '../../../db/migrator.js';
import * as services from './2026-11-22-services.js';
import * as servicesUuid from './2026-12-01-services-uuid.js';

/** The service registry's schema history, in order. */
export const serviceRegistryMigrations: ServiceMigrations = {
  name: 'services',
  migrations: {
    '2026-11-22-services': services,
    '2026-12-01-services-uuid': servicesUuid,
  },
};
