import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import { versioned } from '../../../common/http/versioned.js';
import { bodyValidator } from '../../../common/http/validation.js';
import type { ServiceRecord } from '../../../common/service/service-registry.js';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import { COMPUTE_BINARY } from '../../agent/rpc-api.js';
import type { ComputeService, ComputeServices, ServiceChanges, ServiceKey } from '../../admin/compute-services.js';
import { boolFromString, integerId, isUuidLike, NovaBoolean, queryLists, unknownQueryCheck } from './nova-types.js';
import { novaTime } from './render.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

/** Nova's 2.53 switch: services are named by uuid, and PUT takes the uuid instead of an action. */
const UUID_FOR_ID = '2.53';

export const ServiceListQuerystring = Type.Object({ host: Type.Optional(Type.Unknown()), binary: Type.Optional(Type.Unknown()) }, { additionalProperties: true });
export const ServiceParams = Type.Object({ service_id: Type.String() });

/** parameter_types.fqdn */
const Host = Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' });
const Reason = Type.String({ minLength: 1, maxLength: 255 });
const ACTION_FIELDS = { host: Host, binary: Type.String({ minLength: 1, maxLength: 255 }), disabled_reason: Type.Optional(Reason) };
/** services.service_update (2.1–2.10) and service_update_v211 (2.11–2.52): the body names the service. */
export const ServiceActionBody = Type.Object(ACTION_FIELDS, { additionalProperties: false });
export const ServiceActionBodyV211 = Type.Object({ ...ACTION_FIELDS, forced_down: Type.Optional(NovaBoolean) }, { additionalProperties: false });
/** services.service_update_v2_53: the path names the service; nothing is required. */
export const ServiceUpdateBodyV253 = Type.Object(
  {
    status: Type.Optional(Type.Unsafe<'enabled' | 'disabled'>({ type: 'string', enum: ['enabled', 'disabled'] })),
    disabled_reason: Type.Optional(Reason),
    forced_down: Type.Optional(NovaBoolean),
  },
  { additionalProperties: false },
);
type ActionBody = Static<typeof ServiceActionBodyV211>;

const checkListQuery = unknownQueryCheck(ServiceListQuerystring);
const actionBodies = versioned([
  { min: '2.1', max: '2.10', value: bodyValidator(ServiceActionBody) },
  { min: '2.11', max: '2.52', value: bodyValidator(ServiceActionBodyV211) },
]);
const validateV253 = bodyValidator(ServiceUpdateBodyV253);

/** Nova's _get_service_detail: forced_down from 2.11, the uuid as id from 2.53. */
export function renderService(request: FastifyRequest, { record, zone }: ComputeService): Record<string, unknown> {
  const version = request.microversion;
  return {
    binary: record.binary,
    host: record.host,
    id: version.isAtLeast(UUID_FOR_ID) ? record.uuid : record.id,
    zone,
    status: record.disabled ? 'disabled' : 'enabled',
    state: record.up ? 'up' : 'down',
    updated_at: novaTime((record.updatedAt ?? record.createdAt).toISOString()),
    disabled_reason: record.disabledReason,
    ...(version.isAtLeast('2.11') ? { forced_down: record.forcedDown } : {}),
  };
}

/** What a pre-2.53 action changes, and what it answers besides host and binary. */
interface ActionResult {
  readonly changes: ServiceChanges;
  readonly answer: Record<string, unknown>;
}
type Action = (body: ActionBody) => ActionResult;

/** PUT /os-services/{action} before 2.53 (Nova's _enable, _disable, _disable_log_reason, _forced_down). */
const ACTIONS: Readonly<Record<string, Action>> = {
  enable: () => ({ changes: { disabled: false, disabledReason: null }, answer: { status: 'enabled' } }),
  disable: () => ({ changes: { disabled: true, disabledReason: null }, answer: { status: 'disabled' } }),
  'disable-log-reason': (body) => {
    const reason = body.disabled_reason;
    if (reason === undefined) throw new BadRequest('Missing disabled reason field');
    return { changes: { disabled: true, disabledReason: reason }, answer: { status: 'disabled', disabled_reason: reason } };
  },
  'force-down': (body) => {
    if (body.forced_down === undefined) throw new BadRequest('Missing forced_down field');
    const forcedDown = boolFromString(body.forced_down) ?? false;
    return { changes: { forcedDown }, answer: { forced_down: forcedDown } };
  },
};

/** Nova's _update: only nova-compute services take these actions, checked before the lookup. */
async function performAction(services: ComputeServices, body: ActionBody, action: Action): Promise<Record<string, unknown>> {
  const { changes, answer } = action(body);
  if (body.binary !== COMPUTE_BINARY) {
    throw new BadRequest(`Updating a ${body.binary} service is not supported. Only ${COMPUTE_BINARY} services can be updated.`);
  }
  await services.update(await services.byHostAndBinary(body.host, body.binary), changes);
  return { host: body.host, binary: body.binary, ...answer };
}

/** The 2.53 update: status and/or forced_down; an update that asks for nothing is a 400. */
async function updateByUuid(services: ComputeServices, record: ServiceRecord, body: Static<typeof ServiceUpdateBodyV253>): Promise<ServiceRecord> {
  const changes: { -readonly [K in keyof ServiceChanges]: ServiceChanges[K] } = {};
  if (body.status === 'enabled') {
    if (body.disabled_reason !== undefined) throw new BadRequest("Specifying 'disabled_reason' with status 'enabled' is invalid.");
    Object.assign(changes, { disabled: false, disabledReason: null });
  } else if (body.status === 'disabled') {
    Object.assign(changes, { disabled: true, disabledReason: body.disabled_reason ?? null });
  }
  if (body.forced_down !== undefined) changes.forcedDown = boolFromString(body.forced_down) === true;
  if (Object.keys(changes).length === 0) throw new BadRequest("No updates were requested. Fields 'status' or 'forced_down' should be specified.");
  return services.update(record, changes);
}

/** The id in the path as the version reads it: an integer before 2.53, a uuid from then on. */
function serviceKey(request: FastifyRequest, id: string): ServiceKey {
  if (request.microversion.isAtLeast(UUID_FOR_ID)) {
    if (!isUuidLike(id)) throw new BadRequest(`Invalid uuid ${id}`);
    return { uuid: id };
  }
  return { id: integerId(id) };
}

/** /v2.1/os-services: list; the pre-2.53 actions or the 2.53 update; delete. */
export function serviceRoutes(deps: ComputeRouteDeps, admin: ComputeAdmin): FastifyPluginAsyncTypebox {
  const { services } = admin;
  return async (app) => {
    app.get('/v2.1/os-services', { schema: { querystring: ServiceListQuerystring } }, async (request) => {
      checkListQuery(request);
      authorize(deps, request, 'os_compute_api:os-services:list', {});
      // Nova reads req.GET[name], the last value given; an empty one filters nothing.
      const query = queryLists(request.query);
      const host = query['host']?.at(-1) || undefined;
      const binary = query['binary']?.at(-1) || undefined;
      const found = await services.list({ ...(host === undefined ? {} : { host }), ...(binary === undefined ? {} : { binary }) });
      return { services: found.map((service) => renderService(request, service)) };
    });

    app.put('/v2.1/os-services/:service_id', { schema: { params: ServiceParams } }, async (request) => {
      const id = request.params.service_id;
      if (request.microversion.isAtLeast(UUID_FOR_ID)) {
        const body = validateV253(request.body);
        if (!isUuidLike(id)) throw new BadRequest(`Invalid uuid ${id}`);
        authorize(deps, request, 'os_compute_api:os-services:update', {});
        const record = await services.get({ uuid: id }, `Service ${id} could not be found.`);
        const updated = await updateByUuid(services, record, body);
        return { service: renderService(request, await services.show(updated)) };
      }
      const body = actionBodies.select(request.microversion)(request.body);
      authorize(deps, request, 'os_compute_api:os-services:update', {});
      const action = Object.hasOwn(ACTIONS, id) && (id !== 'force-down' || request.microversion.isAtLeast('2.11')) ? ACTIONS[id] : undefined;
      if (action === undefined) throw new NotFound('Unknown action');
      return { service: await performAction(services, body, action) };
    });

    app.delete('/v2.1/os-services/:service_id', { schema: { params: ServiceParams } }, async (request, reply) => {
      authorize(deps, request, 'os_compute_api:os-services:delete', {});
      const id = request.params.service_id;
      const record = await services.get(serviceKey(request, id), `Service ${id} not found.`);
      await services.delete(record);
      return reply.code(204).send();
    });
  };
}
