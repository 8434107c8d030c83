import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { extensionRoutes } from './extensions.js';
import { flavorAccessRoutes } from './flavor-access.js';
import { flavorExtraSpecRoutes } from './flavor-extra-specs.js';
import { flavorRoutes } from './flavors.js';
import { keyPairRoutes } from './keypairs.js';
import { limitRoutes } from './limits.js';
import { quotaClassSetRoutes } from './quota-class-sets.js';
import { quotaSetRoutes } from './quota-sets.js';
import type { ComputeRouteDeps } from './route-deps.js';
import { aggregateImageRoutes } from './aggregate-images.js';
import { aggregateRoutes } from './aggregates.js';
import { availabilityZoneRoutes } from './availability-zones.js';
import { hypervisorRoutes } from './hypervisors.js';
import { hypervisorUptimeRoutes } from './hypervisor-uptime.js';
import { imageMetadataRoutes } from './image-metadata.js';
import { imageRoutes } from './images.js';
import { instanceActionRoutes } from './instance-actions.js';
import { instanceUsageAuditLogRoutes } from './instance-usage-audit-log.js';
import { migrationRoutes } from './os-migrations.js';
import { serviceRoutes } from './os-services.js';
import { serverActionRoutes } from './server-actions/index.js';
import { serverGroupRoutes } from './server-groups.js';
import { serverDiagnosticsRoutes } from './server-diagnostics.js';
import { serverMetadataRoutes } from './server-metadata.js';
import { serverTagRoutes } from './server-tags.js';
import { serverMigrationRoutes } from './server-migrations.js';
import { serverPasswordRoutes } from './server-password.js';
import { serverRoutes } from './servers.js';
import { remoteConsoleRoutes } from './remote-consoles.js';
import { requestTimelineRoutes } from './request-timeline.js';
import { traceServerRequests } from '../../timeline/api-steps.js';
import { serverExternalEventRoutes } from './server-external-events.js';
import { serverIpRoutes } from './server-ips.js';
import { serverInterfaceRoutes } from './server-interfaces.js';
import { securityGroupRoutes, serverSecurityGroupRoutes } from './security-groups.js';
import { floatingIpRoutes } from './floating-ips.js';
import { hostRoutes } from './hosts.js';
import { networkRoutes } from './networks.js';
import { simpleTenantUsageRoutes } from './simple-tenant-usage.js';
import { volumeAttachmentRoutes } from './volume-attachments.js';
import { nimbusFaultRoutes } from './nimbus-faults.js';

export type { ComputeRouteDeps } from './route-deps.js';

/** Nova's flavor, key pair, quota, limits, server and admin APIs at `/v2.1/…` of the compute plugin (behind the auth middleware). */
export function computeRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    for (const routes of [flavorRoutes, flavorExtraSpecRoutes, flavorAccessRoutes, keyPairRoutes, quotaSetRoutes, quotaClassSetRoutes, limitRoutes, extensionRoutes]) {
      await app.register(routes(deps));
    }
    const { servers, admin, images, consoleAuth, requestTrace, faults } = deps;
    // Before the routes it watches: a hook applies to the routes registered after it.
    if (requestTrace !== undefined) traceServerRequests(app, requestTrace.trace, requestTrace.host);
    if (images !== undefined) for (const routes of [imageRoutes, imageMetadataRoutes]) await app.register(routes(deps, images));
    if (servers !== undefined) {
      for (const routes of [serverRoutes, serverActionRoutes, serverMetadataRoutes, serverTagRoutes, instanceActionRoutes, migrationRoutes, serverMigrationRoutes, serverDiagnosticsRoutes, serverPasswordRoutes, serverExternalEventRoutes, serverIpRoutes, serverInterfaceRoutes, volumeAttachmentRoutes, serverSecurityGroupRoutes, securityGroupRoutes, floatingIpRoutes, networkRoutes]) await app.register(routes(deps, servers));
    }
    if (servers !== undefined && consoleAuth !== undefined) await app.register(remoteConsoleRoutes(deps, servers, consoleAuth));
    if (requestTrace !== undefined) await app.register(requestTimelineRoutes(deps, requestTrace.steps));
    if (admin !== undefined) {
      for (const routes of [serviceRoutes, hypervisorRoutes, availabilityZoneRoutes, aggregateRoutes, serverGroupRoutes, simpleTenantUsageRoutes, instanceUsageAuditLogRoutes, hostRoutes]) {
        await app.register(routes(deps, admin));
      }
      if (servers !== undefined) for (const routes of [aggregateImageRoutes, hypervisorUptimeRoutes]) await app.register(routes(deps, admin, servers));
    }
    if (faults !== undefined) await app.register(nimbusFaultRoutes(deps, faults));
  };
}
