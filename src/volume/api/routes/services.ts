import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { NotFound } from '../../../common/errors/errors.js';
import type { ServiceRecord } from '../../../common/service/service-registry.js';
import { VOLUME_BINARY } from '../../manager/volume-manager.js';
import { invalidInput } from '../../volumes/volume-errors.js';
import { cinderTime } from './render.js';
import { authorize, checkProject, ownTarget, queryOf, type VolumeRouteDeps } from './route-deps.js';

const Project = Type.Object({ project_id: Type.String() });
const UpdateParams = Type.Object({ project_id: Type.String(), action: Type.String() });
const Name = Type.String({ minLength: 1, maxLength: 255 });
const NullableString = Type.Union([Type.String(), Type.Null()]);

/**
 * Cinder's enable_and_disable, disable_log_reason and freeze_and_thaw schemas
 * (cinder/api/schemas/services.py) in one: each action refuses the keys its own schema has not.
 */
const EnableDisableBody = Type.Object(
  {
    binary: Type.Optional(Name),
    service: Type.Optional(Name),
    host: Type.Optional(Name),
    cluster: Type.Optional(NullableString),
    disabled_reason: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  { additionalProperties: false },
);

/**
 * Cinder's host filter: a host names its backends and a backend its pools (`vm` matches `vm` and
 * `vm@file`, `vm@file#file` matches `vm@file`).
 */
export function onHost(host: string, wanted: string | undefined): boolean {
  return wanted === undefined || host === wanted || host.startsWith(`${wanted}@`) || host.startsWith(`${wanted}#`) || wanted.startsWith(`${host}#`);
}

/** get_cluster_host without clusters: the host is required. */
function hostOf(body: { readonly host?: string | undefined }): string {
  if (body.host === undefined) throw invalidInput('Host field is missing.');
  return body.host;
}

/** os-services (Cinder's services, up or down from their heartbeats; enable, disable, freeze, thaw) and os-availability-zone. */
export function serviceRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const volumeServicesOn = async (host: string): Promise<ServiceRecord[]> => (await deps.services.list({ binary: VOLUME_BINARY })).filter((record) => onHost(record.host, host));

  /** Cinder's freeze_host/thaw_host: every volume service of the host changes, or the request is refused. */
  const setFrozen = async (body: Static<typeof EnableDisableBody>, frozen: boolean): Promise<void> => {
    const host = hostOf(body);
    const services = await volumeServicesOn(host);
    if (services.length === 0) throw invalidInput(`No service found with host=${host}`);
    const changed = await deps.frozenBackends.setFrozen(services.map((service) => service.host), frozen);
    if (changed.length === 0) {
      throw invalidInput(`No service could be changed: frozen in [${services.map((service) => `'${service.host}'`).join(', ')}] must be ${frozen ? 'False' : 'True'} to failover.`);
    }
  };

  /** enable, disable and disable-log-reason: one service by host and binary. */
  const setDisabled = async (body: Static<typeof EnableDisableBody>, disabled: boolean, withReason: boolean) => {
    const binary = body.binary ?? body.service;
    if (binary === undefined) throw invalidInput("'binary' or 'service' is a required property");
    const host = hostOf(body);
    const service = (await deps.services.list({ binary })).find((record) => record.host === host);
    if (service === undefined) throw new NotFound(`Service ${binary} could not be found on host ${host}.`);
    const reason = withReason ? (body.disabled_reason ?? null) : undefined;
    await deps.services.setFlags(service.id, { disabled, ...(reason === undefined ? {} : { disabledReason: reason }) });
    return { disabled, ...(reason === undefined ? {} : { disabled_reason: reason }), host, service: body.service ?? '', binary: body.binary ?? '', status: disabled ? 'disabled' : 'enabled' };
  };

  return async (app) => {
    app.get('/v3/:project_id/os-services', { schema: { params: Project } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:services:index', ownTarget(request));
      const query = queryOf(request);
      const records = await deps.services.list(query['binary'] === undefined ? {} : { binary: query['binary'] });
      const frozen = await deps.frozenBackends.frozenBackends();
      const zone = deps.availabilityZones[0] ?? 'nova';
      return {
        services: records
          .filter((record) => record.binary.startsWith('cinder-') && onHost(record.host, query['host']))
          .map((record) => ({
            binary: record.binary,
            host: record.host,
            zone,
            status: record.disabled ? 'disabled' : 'enabled',
            state: record.up ? 'up' : 'down',
            updated_at: cinderTime(record.lastSeenAt ?? record.updatedAt),
            disabled_reason: record.disabledReason,
            // os-extended-services: a volume service's replication state (never replicated here) and whether it is frozen.
            ...(record.binary === VOLUME_BINARY ? { replication_status: 'not-capable', active_backend_id: null, frozen: frozen.has(record.host) } : {}),
          })),
      };
    });

    app.put('/v3/:project_id/os-services/:action', { schema: { params: UpdateParams, body: EnableDisableBody } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:services:update', ownTarget(request));
      const { action } = request.params;
      const body = request.body;
      switch (action) {
        case 'enable':
        case 'disable':
        case 'disable-log-reason':
          if (action !== 'disable-log-reason' && 'disabled_reason' in body) throw invalidInput("Additional properties are not allowed ('disabled_reason' was unexpected)");
          return setDisabled(body, action !== 'enable', action === 'disable-log-reason');
        case 'freeze':
        case 'thaw':
          authorize(deps, request, action === 'freeze' ? 'volume:freeze_host' : 'volume:thaw_host', ownTarget(request));
          // Cinder's freeze_and_thaw schema: the host (or cluster) alone.
          for (const key of ['binary', 'service', 'disabled_reason'] as const) if (key in body) throw invalidInput(`Additional properties are not allowed ('${key}' was unexpected)`);
          await setFrozen(body, action === 'freeze');
          return reply.code(200).send();
      }
      throw invalidInput('Unknown action');
    });

    app.get('/v3/:project_id/os-availability-zone', { schema: { params: Project } }, async (request) => {
      checkProject(request, request.params.project_id);
      return { availabilityZoneInfo: deps.availabilityZones.map((zoneName) => ({ zoneName, zoneState: { available: true } })) };
    });
  };
}
