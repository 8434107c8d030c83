import type { ServiceMigrations } from '../../../common/db/migrator.js';
import * as tables from './2026-12-04-volume-tables.js';

/** The volume service's schema history, in order. */
export const volumeMigrations: ServiceMigrations = {
  name: 'volume',
  migrations: {
    '2026-12-04-volume-tables': tables,
  },
};
