import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import type { ComputeService } from '../../admin/compute-services.js';
import { novaTime } from './render.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

export const ServiceListQuerystring = Type.Object({ host: Type.Optional(Type.String()), binary: Type.Optional(Type.String()) }, { additionalProperties: true });
const HostBinary = { host: Type.String({ minLength: 1, maxLength: 255 }), binary: Type.String({ minLength: 1, maxLength: 255 }) };
export const ServiceToggleBody = Type.Object(HostBinary, { additionalProperties: false });
export const ServiceDisableReasonBody = Type.Object({ ...HostBinary, disabled_reason: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false });
export const ServiceActionParams = Type.Object({ action: Type.Unsafe<'enable' | 'disable' | 'disable-log-reason'>({ type: 'string', enum: ['enable', 'disable', 'disable-log-reason'] }) });

/** A service in a 2.1 list (forced_down comes at 2.11). */
function renderService(service: ComputeService): Record<string, unknown> {
  const { record } = service;
  return {
    id: record.id,
    binary: record.binary,
    disabled_reason: record.disabledReason,
    host: record.host,
    state: record.up ? 'up' : 'down',
    status: record.disabled ? 'disabled' : 'enabled',
    updated_at: novaTime((record.updatedAt ?? record.createdAt).toISOString()),
    zone: service.zone,
  };
}

/** /v2.1/os-services (2.1–2.10): list, and PUT enable/disable/disable-log-reason. */
export function serviceRoutes(deps: ComputeRouteDeps, admin: ComputeAdmin): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/os-services', { schema: { querystring: ServiceListQuerystring } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-services:list', {});
      const { host, binary } = request.query;
      const services = await admin.services.list({ ...(host === undefined ? {} : { host }), ...(binary === undefined ? {} : { binary }) });
      return { services: services.map(renderService) };
    });

    app.put('/v2.1/os-services/:action', { schema: { params: ServiceActionParams, body: Type.Union([ServiceDisableReasonBody, ServiceToggleBody]) } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-services:update', {});
      const { action } = request.params;
      const body = request.body;
      const reason = 'disabled_reason' in body ? body.disabled_reason : null;
      const disabled = action !== 'enable';
      await admin.services.setDisabled(body.host, body.binary, disabled, action === 'disable-log-reason' ? reason : null);
      return {
        service: {
          host: body.host,
          binary: body.binary,
          status: disabled ? 'disabled' : 'enabled',
          ...(action === 'disable-log-reason' ? { disabled_reason: reason } : {}),
        },
      };
    });
  };
}
