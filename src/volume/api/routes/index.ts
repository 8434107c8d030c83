import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { backupRoutes } from './backups.js';
import { attachmentRoutes } from './attachments.js';
import { quotaRoutes } from './quota-sets.js';
import type { VolumeRouteDeps } from './route-deps.js';
import { serviceRoutes } from './services.js';
import { snapshotRoutes } from './snapshots.js';
import { transferRoutes } from './transfers.js';
import { volumeTypeRoutes } from './types.js';
import { volumeActionRoutes } from './volume-actions.js';
import { volumeMetadataRoutes } from './volume-metadata.js';
import { volumeRoutes } from './volumes.js';

export type { VolumeRouteDeps } from './route-deps.js';

/** Cinder v3's volumes, actions, metadata, snapshots, backups, types, quotas, limits, services, attachments and transfers at `/v3/{project_id}/…`. */
export function v3Routes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    for (const routes of [volumeRoutes, volumeMetadataRoutes, volumeActionRoutes, snapshotRoutes, backupRoutes, volumeTypeRoutes, quotaRoutes, serviceRoutes, attachmentRoutes, transferRoutes]) {
      await app.register(routes(deps));
    }
  };
}
