import type { Database } from '../common/db/database.js';
import type { ComputeManagers } from './api/index.js';
import { FlavorManager } from './flavors/flavor-manager.js';
import { KeyPairManager } from './keypairs/keypair-manager.js';
import { QuotaManager } from './quotas/quota-manager.js';

/** The compute managers of a node, over its database (key pairs count against the quotas). */
export function createComputeManagers(database: Database): ComputeManagers {
  const quotas = new QuotaManager(database);
  return {
    flavors: new FlavorManager(database),
    quotas,
    keypairs: new KeyPairManager(database, (project) => quotas.keyPairLimit(project)),
  };
}
