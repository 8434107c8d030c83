import type { ServiceMigrations } from '../../../common/db/migrator.js';
import * as tables from './2026-12-04-volume-tables.js';
import * as backups from './2026-12-05-volume-backups.js';
import * as attachments from './2026-12-05-volume-attachments.js';
import * as transfers from './2026-12-06-volume-transfers.js';
import * as adminMetadata from './2026-12-06-volume-admin-metadata.js';
import * as defaultTypes from './2026-12-07-volume-default-types.js';
import * as quotaClasses from './2026-12-07-volume-quota-classes.js';
import * as typeProjects from './2026-12-07-volume-type-projects.js';
import * as groups from './2026-12-08-volume-groups.js';
import * as messages from './2026-12-08-volume-messages.js';
import * as qosSpecs from './2026-12-08-volume-qos-specs.js';
import * as typeEncryption from './2026-12-08-volume-type-encryption.js';
import * as quotaLocks from './2026-12-08-volume-quota-locks.js';
import * as pendingChanges from './2026-12-09-volume-pending-changes.js';

/** The volume service's schema history, in order. */
export const volumeMigrations: ServiceMigrations = {
  name: 'volume',
  migrations: {
    '2026-12-04-volume-tables': tables,
    '2026-12-05-volume-backups': backups,
    '2026-12-05-volume-attachments': attachments,
    '2026-12-06-volume-transfers': transfers,
    '2026-12-06-volume-admin-metadata': adminMetadata,
    '2026-12-07-volume-default-types': defaultTypes,
    '2026-12-07-volume-quota-classes': quotaClasses,
    '2026-12-07-volume-type-projects': typeProjects,
    '2026-12-08-volume-groups': groups,
    '2026-12-08-volume-messages': messages,
    '2026-12-08-volume-qos-specs': qosSpecs,
    '2026-12-08-volume-type-encryption': typeEncryption,
    '2026-12-08-volume-quota-locks': quotaLocks,
    '2026-12-09-volume-pending-changes': pendingChanges,
  },
};
