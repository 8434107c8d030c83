import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest, Conflict, NotFound } from '../../../common/errors/errors.js';
import { QOS_CONSUMERS, type QosConsumer, type QosSpecs } from '../../volumes/qos-specs.js';
import { invalidVolumeType } from '../../volumes/volume-errors.js';
import { parseBoolean } from '../../volumes/volume-list-query.js';
import { links } from './render.js';
import { authorize, checkProject, ownTarget, queryOf, type VolumeRouteDeps } from './route-deps.js';
import { Metadata } from './schemas.js';

const Project = Type.Object({ project_id: Type.String() });
const QosParams = Type.Object({ project_id: Type.String(), qos_id: Type.String() });
/** Cinder's create schema: a name, and any other keys as specs (consumer among them). */
const CreateBody = Type.Object(
  {
    qos_specs: Type.Unsafe<{ readonly name: string } & Readonly<Record<string, string>>>({
      type: 'object',
      properties: { name: { type: 'string', minLength: 1, maxLength: 255 } },
      required: ['name'],
      additionalProperties: { type: 'string', maxLength: 255 },
    }),
  },
  { additionalProperties: false },
);
const SetBody = Type.Object({ qos_specs: Metadata }, { additionalProperties: false });
const UnsetBody = Type.Object({ keys: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { uniqueItems: true }) }, { additionalProperties: false });

const qosNotFound = (id: string) => new NotFound(`No such QoS spec ${id}.`);

function consumerOf(value: string): QosConsumer {
  if (!(QOS_CONSUMERS as readonly string[]).includes(value)) throw new BadRequest(`Invalid qos specs: Valid consumer of QoS specs are: ['front-end', 'back-end', 'both']`);
  return value as QosConsumer;
}

function renderQos(qos: QosSpecs): Record<string, unknown> {
  return { id: qos.id, name: qos.name, consumer: qos.consumer, specs: qos.specs };
}

/**
 * /v3/{project_id}/qos-specs (cinder/api/contrib/qos_specs_manage.py), the administrator's: create,
 * list, show, set and unset keys, delete (force ends the associations), associate with volume
 * types and end that. Nimbus's backends apply no QoS: the specs are kept and shown.
 */
export function qosSpecRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { qosSpecs } = deps;
  const load = async (id: string): Promise<QosSpecs> => (await qosSpecs.find(id)) ?? Promise.reject(qosNotFound(id));
  /** The vol_type_id a (dis)associate names, its type looked up first (404). */
  const typeOf = async (request: Parameters<typeof queryOf>[0]): Promise<string> => {
    const typeId = queryOf(request)['vol_type_id'];
    if (typeId === undefined || typeId === '') throw new BadRequest('Volume Type id must not be None.');
    await deps.types.get(typeId);
    return typeId;
  };
  return async (app) => {
    app.get('/v3/:project_id/qos-specs', { schema: { params: Project } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:qos_specs_manage:get_all', ownTarget(request));
      const query = queryOf(request);
      const all = await qosSpecs.list();
      const matching = all.filter((qos) => ['id', 'name', 'consumer'].every((key) => query[key] === undefined || query[key] === qos[key as 'id' | 'name' | 'consumer']));
      return { qos_specs: matching.map(renderQos) };
    });

    app.post('/v3/:project_id/qos-specs', { schema: { params: Project, body: CreateBody } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:qos_specs_manage:create', ownTarget(request));
      const { name, consumer = 'back-end', ...specs } = request.body.qos_specs;
      const qos: QosSpecs = { id: randomUUID(), name: name.trim(), consumer: consumerOf(consumer), specs, createdAt: qosSpecs.now() };
      if (!(await qosSpecs.create(qos))) throw new Conflict(`QoS Specs ${qos.name} already exists.`);
      return { qos_specs: renderQos(qos), links: links(deps.publicUrl, request.params.project_id, 'qos-specs', qos.id) };
    });

    app.get('/v3/:project_id/qos-specs/:qos_id', { schema: { params: QosParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:qos_specs_manage:get', ownTarget(request));
      const qos = await load(request.params.qos_id);
      return { qos_specs: renderQos(qos), links: links(deps.publicUrl, request.params.project_id, 'qos-specs', qos.id) };
    });

    app.put('/v3/:project_id/qos-specs/:qos_id', { schema: { params: QosParams, body: SetBody } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:qos_specs_manage:update', ownTarget(request));
      const { consumer, ...set } = request.body.qos_specs;
      const changed = await qosSpecs.change(request.params.qos_id, { set, ...(consumer === undefined ? {} : { consumer: consumerOf(consumer) }) });
      if (changed === undefined) throw qosNotFound(request.params.qos_id);
      return request.body;
    });

    app.put('/v3/:project_id/qos-specs/:qos_id/delete_keys', { schema: { params: QosParams, body: UnsetBody } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:qos_specs_manage:delete', ownTarget(request));
      const missing = await qosSpecs.change(request.params.qos_id, { remove: request.body.keys });
      if (missing === undefined) throw qosNotFound(request.params.qos_id);
      if (missing.length > 0) throw new NotFound(`QoS spec ${request.params.qos_id} has no spec with key ${missing[0] ?? ''}.`);
      return reply.code(202).send();
    });

    app.delete('/v3/:project_id/qos-specs/:qos_id', { schema: { params: QosParams } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:qos_specs_manage:delete', ownTarget(request));
      const force = parseBoolean(queryOf(request)['force'], 'force') === true;
      const qos = await load(request.params.qos_id);
      if (!force && (await qosSpecs.associations(qos.id)).length > 0) throw new BadRequest('Qos specs still in use.');
      await qosSpecs.delete(qos.id);
      return reply.code(202).send();
    });

    app.get('/v3/:project_id/qos-specs/:qos_id/associations', { schema: { params: QosParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:qos_specs_manage:get_all', ownTarget(request));
      const qos = await load(request.params.qos_id);
      return { qos_associations: await qosSpecs.associations(qos.id) };
    });

    app.get('/v3/:project_id/qos-specs/:qos_id/associate', { schema: { params: QosParams } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:qos_specs_manage:update', ownTarget(request));
      const typeId = await typeOf(request);
      const qos = await load(request.params.qos_id);
      const other = await qosSpecs.associate(qos.id, typeId);
      if (other !== undefined) throw invalidVolumeType(`Type ${typeId} is already associated with another qos specs: ${other}`);
      return reply.code(202).send();
    });

    app.get('/v3/:project_id/qos-specs/:qos_id/disassociate', { schema: { params: QosParams } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:qos_specs_manage:update', ownTarget(request));
      const typeId = await typeOf(request);
      const qos = await load(request.params.qos_id);
      await qosSpecs.disassociate(qos.id, typeId);
      return reply.code(202).send();
    });

    app.get('/v3/:project_id/qos-specs/:qos_id/disassociate_all', { schema: { params: QosParams } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:qos_specs_manage:update', ownTarget(request));
      const qos = await load(request.params.qos_id);
      await qosSpecs.disassociate(qos.id);
      return reply.code(202).send();
    });
  };
}
