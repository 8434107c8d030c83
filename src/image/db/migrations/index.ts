import type { ServiceMigrations } from '../../../common/db/migrator.js';
import * as tables from './2026-11-22-image-tables.js';
import * as locations from './2026-12-06-store-locations.js';
import * as metadefTables from './2026-12-06-metadef-tables.js';

/** The image service's schema history, in order. */
export const imageMigrations: ServiceMigrations = {
  name: 'image',
  migrations: {
    '2026-11-22-image-tables': tables,
    '2026-12-06-metadef-tables': metadefTables,
    '2026-12-06-store-locations': locations,
  },
};
