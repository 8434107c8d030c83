import type { Database } from '../../common/db/database.js';
import { ensureDefaultFlavors } from '../../compute/flavors/default-flavors.js';
import { FlavorStore } from '../../compute/db/flavor-store.js';
import { bootstrapIdentity } from '../../identity/bootstrap/bootstrap.js';
import type { IdentityManagers } from '../../identity/resources/index.js';
import type { CorePlugin } from '../../network/plugin/network-plugin.js';
import type { ApiServiceName } from '../presets/api-services.js';
import { catalogEndpoints } from '../presets/catalog-endpoints.js';
import { loadOrCreateBootstrapSecrets } from './bootstrap-secrets.js';
import { writeCredentialsFiles } from './credentials-files.js';
import { ensureDevstackTopology } from './network-topology.js';

/**
 * keystone-manage bootstrap for a Nimbus cloud: the admin and demo personas with the state dir's
 * generated passwords, RegionOne, catalog entries for `services` at `publicUrl` and DevStack's
 * default flavors; DevStack's networks (public, private, router1) where the node serves network;
 * then the state dir's admin-openrc and clouds.yaml. Idempotent: a restart on a new port moves
 * the URLs.
 */
export async function bootstrapCloud(
  managers: IdentityManagers,
  database: Database,
  options: { stateDir: string; publicUrl: string; services: readonly ApiServiceName[]; network?: CorePlugin },
): Promise<void> {
  const secrets = loadOrCreateBootstrapSecrets(options.stateDir);
  const [identity] = await Promise.all([
    bootstrapIdentity(managers, {
      adminPassword: secrets.adminPassword,
      demoPassword: secrets.demoPassword,
      region: 'RegionOne',
      endpoints: catalogEndpoints(options.publicUrl, options.services),
    }),
    ensureDefaultFlavors(new FlavorStore(database)),
  ]);
  if (options.network !== undefined && options.services.includes('network')) {
    await ensureDevstackTopology(options.network, { adminProjectId: identity.admin.project.id, demoProjectId: identity.demo.project.id });
  }
  writeCredentialsFiles(options.stateDir, `${options.publicUrl}/identity`, secrets);
}
