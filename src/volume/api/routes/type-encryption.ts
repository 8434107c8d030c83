import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import type { ControlLocation, EncryptionChanges, TypeEncryption } from '../../db/type-encryption-store.js';
import { invalidInput } from '../../volumes/volume-errors.js';
import { cinderTime } from './render.js';
import { authorize, checkProject, ownTarget, type VolumeRouteDeps } from './route-deps.js';

const TypeParams = Type.Object({ project_id: Type.String(), type_id: Type.String() });
const ItemParams = Type.Object({ project_id: Type.String(), type_id: Type.String(), key: Type.String() });

/** Cinder's volume_type_encryption create schema (update: nothing required); other keys are let through and not kept. */
function encryptionBody(required: readonly string[]) {
  return Type.Object(
    {
      encryption: Type.Unsafe<{ key_size?: string | number | null; provider?: string; control_location?: ControlLocation; cipher?: string | null }>({
        type: 'object',
        properties: {
          key_size: { type: ['string', 'integer', 'null'], minimum: 0, maximum: 2147483647 },
          provider: { type: 'string', minLength: 0, maxLength: 255 },
          control_location: { enum: ['front-end', 'back-end'] },
          cipher: { type: ['string', 'null'], minLength: 0, maxLength: 255 },
        },
        required,
      }),
    },
    { additionalProperties: false },
  );
}
const CreateBody = encryptionBody(['provider', 'control_location']);
const UpdateBody = encryptionBody([]);

const notFound = (typeId: string) => new NotFound(`Volume type encryption for type ${typeId} does not exist.`);

function keySizeOf(value: string | number | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  if (!/^\s*[+-]?\d+\s*$/.test(String(value))) throw invalidInput('key_size must be an integer.');
  return Number(value);
}

function changesOf(body: { key_size?: string | number | null; provider?: string; control_location?: ControlLocation; cipher?: string | null }): EncryptionChanges {
  const keySize = keySizeOf(body.key_size);
  return {
    ...(body.provider === undefined ? {} : { provider: body.provider }),
    ...(body.cipher === undefined ? {} : { cipher: body.cipher }),
    ...(keySize === undefined ? {} : { keySize }),
    ...(body.control_location === undefined ? {} : { controlLocation: body.control_location }),
  };
}

/** The encryption as Cinder's index shows its row. */
function renderEncryption(encryption: TypeEncryption): Record<string, unknown> {
  return {
    volume_type_id: encryption.volumeTypeId,
    encryption_id: encryption.encryptionId,
    provider: encryption.provider,
    cipher: encryption.cipher,
    key_size: encryption.keySize,
    control_location: encryption.controlLocation,
    deleted: false,
    created_at: cinderTime(encryption.createdAt),
    updated_at: cinderTime(encryption.updatedAt),
    deleted_at: null,
  };
}

/**
 * /v3/{project_id}/types/{type_id}/encryption (cinder/api/contrib/volume_type_encryption.py), the
 * administrator's: how a type's volumes are to be encrypted, changed only while no volume has the
 * type. Nimbus keeps and shows it; its backends encrypt nothing.
 */
export function typeEncryptionRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  const { typeEncryption, types } = deps;
  const refuseInUse = async (typeId: string, what: 'create' | 'update' | 'delete') => {
    if (await types.inUse(typeId)) throw new BadRequest(`Cannot ${what} encryption specs. Volume type in use.`);
  };
  return async (app) => {
    app.get('/v3/:project_id/types/:type_id/encryption', { schema: { params: TypeParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:volume_type_encryption:get', ownTarget(request));
      await types.get(request.params.type_id);
      const encryption = await typeEncryption.find(request.params.type_id);
      return encryption === undefined ? {} : renderEncryption(encryption);
    });

    app.get('/v3/:project_id/types/:type_id/encryption/:key', { schema: { params: ItemParams } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:volume_type_encryption:get', ownTarget(request));
      const { type_id: typeId, key } = request.params;
      await types.get(typeId);
      const encryption = await typeEncryption.find(typeId);
      const rendered = encryption === undefined ? {} : renderEncryption(encryption);
      if (!(key in rendered)) throw notFound(typeId);
      return { [key]: rendered[key] };
    });

    app.post('/v3/:project_id/types/:type_id/encryption', { schema: { params: TypeParams, body: CreateBody } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:volume_type_encryption:create', ownTarget(request));
      const typeId = request.params.type_id;
      const changes = changesOf(request.body.encryption);
      await refuseInUse(typeId, 'create');
      await types.get(typeId);
      const encryption: TypeEncryption = {
        volumeTypeId: typeId,
        encryptionId: randomUUID(),
        provider: changes.provider ?? '',
        cipher: changes.cipher ?? null,
        keySize: changes.keySize ?? null,
        controlLocation: changes.controlLocation ?? 'front-end',
        createdAt: typeEncryption.now(),
        updatedAt: null,
      };
      if (!(await typeEncryption.create(encryption))) throw new BadRequest(`Volume type encryption for type ${typeId} already exists.`);
      // Cinder answers with the body it was sent, key_size made a number, and the ids the row got.
      return { encryption: { ...request.body.encryption, ...(changes.keySize === undefined ? {} : { key_size: changes.keySize }), volume_type_id: typeId, encryption_id: encryption.encryptionId } };
    });

    app.put('/v3/:project_id/types/:type_id/encryption/:key', { schema: { params: ItemParams, body: UpdateBody } }, async (request) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:volume_type_encryption:update', ownTarget(request));
      const typeId = request.params.type_id;
      const changes = changesOf(request.body.encryption);
      await types.get(typeId);
      await refuseInUse(typeId, 'update');
      if (!(await typeEncryption.update(typeId, changes))) throw notFound(typeId);
      return { encryption: { ...request.body.encryption, ...(changes.keySize === undefined ? {} : { key_size: changes.keySize }) } };
    });

    app.delete('/v3/:project_id/types/:type_id/encryption/:key', { schema: { params: ItemParams } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      authorize(deps, request, 'volume_extension:volume_type_encryption:delete', ownTarget(request));
      await refuseInUse(request.params.type_id, 'delete');
      if (!(await typeEncryption.delete(request.params.type_id))) throw notFound(request.params.type_id);
      return reply.code(202).send();
    });
  };
}
