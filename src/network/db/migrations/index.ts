import type { ServiceMigrations } from '../../../common/db/migrator.js';
import * as agents from './2026-12-05-network-agents.js';
import * as portIndexes from './2026-12-07-network-port-indexes.js';
import * as subnetpools from './2026-12-06-network-subnetpools.js';
import * as tables from './2026-12-04-network-tables.js';

/** The network service's schema history, in order. */
export const networkMigrations: ServiceMigrations = {
  name: 'network',
  migrations: {
    '2026-12-04-network-tables': tables,
    '2026-12-05-network-agents': agents,
    '2026-12-06-network-subnetpools': subnetpools,
    '2026-12-07-network-port-indexes': portIndexes,
  },
};
