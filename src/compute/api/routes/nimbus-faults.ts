/**
 * /v2.1/nimbus/faults: failure injection for testers (a Nimbus extension, no OpenStack API has
 * it; admin only). Make a host slow, make a step of an operation fail, drop a host's heartbeat or
 * pause its bus for a while, on any driver.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { FAULT_KINDS, type FaultInjection, type FaultKind } from '../../faults/fault-injection.js';
import type { FaultInjections } from '../../faults/fault-injections.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

/** parameter_types.fqdn, as os-services takes a host. */
const Host = Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' });

export const FaultCreateBody = Type.Object(
  {
    fault: Type.Object(
      {
        host: Host,
        kind: Type.Unsafe<FaultKind>({ type: 'string', enum: [...FAULT_KINDS] }),
        operation: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        instance: Type.Optional(Type.String({ format: 'uuid' })),
        delay_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_600_000 })),
        count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
        duration_s: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const FaultListQuerystring = Type.Object({ host: Type.Optional(Host) }, { additionalProperties: false });
export const FaultParams = Type.Object({ fault_id: Type.String() });

function renderFault(fault: FaultInjection): Record<string, unknown> {
  return {
    id: fault.id,
    host: fault.host,
    kind: fault.kind,
    operation: fault.operation,
    instance: fault.instanceUuid,
    delay_ms: fault.delayMs,
    remaining: fault.remaining,
    expires_at: fault.expiresAt,
    created_at: fault.createdAt,
    request_id: fault.requestId,
  };
}

export function nimbusFaultRoutes(deps: ComputeRouteDeps, faults: FaultInjections): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/nimbus/faults', { schema: { querystring: FaultListQuerystring } }, async (request) => {
      authorize(deps, request, 'nimbus:faults:list', {});
      return { faults: (await faults.list(request.query.host)).map(renderFault) };
    });

    app.post('/v2.1/nimbus/faults', { schema: { body: FaultCreateBody } }, async (request, reply) => {
      authorize(deps, request, 'nimbus:faults:create', {});
      const body = request.body.fault;
      const fault = await faults.create(request.requestContext, {
        host: body.host,
        kind: body.kind,
        ...(body.operation === undefined ? {} : { operation: body.operation }),
        ...(body.instance === undefined ? {} : { instanceUuid: body.instance }),
        ...(body.delay_ms === undefined ? {} : { delayMs: body.delay_ms }),
        ...(body.count === undefined ? {} : { count: body.count }),
        ...(body.duration_s === undefined ? {} : { durationSeconds: body.duration_s }),
      });
      return reply.code(201).send({ fault: renderFault(fault) });
    });

    app.delete('/v2.1/nimbus/faults/:fault_id', { schema: { params: FaultParams } }, async (request, reply) => {
      authorize(deps, request, 'nimbus:faults:delete', {});
      await faults.clear(request.params.fault_id);
      return reply.code(204).send();
    });
  };
}
