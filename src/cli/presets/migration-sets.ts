import type { ServiceMigrations } from '../../common/db/migrator.js';
import { serviceRegistryMigrations } from '../../common/service/db/migrations/index.js';
import { identityMigrations } from '../../identity/db/migrations/index.js';
import { tokenMigrations } from '../../identity/tokens/db/migrations/index.js';
import { imageMigrations } from '../../image/db/migrations/index.js';
import { computeMigrations } from '../../compute/db/migrations/index.js';
import { networkMigrations } from '../../network/db/migrations/index.js';
import { volumeMigrations } from '../../volume/db/migrations/index.js';

/** Every service's migrations, applied in this order by `nimbus db sync` and all-in-one start. */
export const MIGRATION_SETS: readonly ServiceMigrations[] = [
  serviceRegistryMigrations,
  identityMigrations,
  tokenMigrations,
  imageMigrations,
  computeMigrations,
  networkMigrations,
  volumeMigrations,
];
