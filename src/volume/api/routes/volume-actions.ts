/**
 * POST /v3/{project_id}/volumes/{id}/action as a table: each action its body schema, policy and
 * run. One key per body, as Cinder's wsgi dispatches it; an unknown key is Cinder's 400.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors/errors.js';
import { versioned, VersionedTable } from '../../../common/http/versioned.js';
import { bodyValidator } from '../../../common/http/validation.js';
import type { Volume } from '../../volumes/volume.js';
import type { ImageVisibility, MigrationPolicy } from '../../volumes/volume-service.js';
import { UPLOAD_DISK_FORMATS, type UploadDiskFormat } from '../../manager/rpc-api.js';
import { EXTEND_IN_USE, REIMAGE_VOLUME, UPLOAD_IMAGE_PARAMS } from '../microversions.js';
import { cinderTime } from './render.js';
import { authorize, checkProject, type VolumeRouteDeps } from './route-deps.js';
import { ATTACH_ACTIONS } from './volume-attach-actions.js';
import { CinderBoolean, Metadata, NullableString, toBoolean, toSize, VolumeSize } from './schemas.js';

/** os-volume_upload_image's body (Cinder's volume_upload_image); 3.1 adds visibility and protected. */
const UPLOAD_IMAGE_FIELDS = {
  image_name: Type.String({ minLength: 1, maxLength: 255 }),
  force: Type.Optional(CinderBoolean),
  disk_format: Type.Optional(Type.Union(UPLOAD_DISK_FORMATS.map((format) => Type.Literal(format)))),
  container_format: Type.Optional(NullableString()),
};
const UPLOAD_IMAGE_V30 = Type.Object(UPLOAD_IMAGE_FIELDS, { additionalProperties: false });
const UPLOAD_IMAGE_V31 = Type.Object(
  {
    ...UPLOAD_IMAGE_FIELDS,
    visibility: Type.Optional(Type.Union((['community', 'public', 'private', 'shared'] as const).map((visibility) => Type.Literal(visibility)))),
    protected: Type.Optional(CinderBoolean),
  },
  { additionalProperties: false },
);
/** The ranges of UPLOAD_IMAGE_PARAMS. */
const UPLOAD_IMAGE_SCHEMAS = versioned([
  { min: '3.0', max: '3.0', value: UPLOAD_IMAGE_V30 },
  { min: '3.1', value: UPLOAD_IMAGE_V31 },
]);

interface UploadImageBody {
  readonly image_name: string;
  readonly force?: boolean | string;
  readonly disk_format?: UploadDiskFormat;
  readonly container_format?: string | null;
  readonly visibility?: ImageVisibility;
  readonly protected?: boolean | string;
}

export interface VolumeAction {
  /** The microversions the action exists at (outside them Cinder's router has no such action: 404). */
  readonly versions?: VersionedTable<true>;
  /** The body's schema, or one per microversion range. */
  readonly schema: TSchema | VersionedTable<TSchema>;
  readonly policy: string;
  /** The HTTP status of success: Cinder answers 202 for work cast on, 200 for record changes. */
  readonly status: 200 | 202;
  /** What the answer carries (os-initialize_connection's connection_info); nothing when absent. */
  run(deps: VolumeRouteDeps, request: FastifyRequest, volume: Volume, body: never): Promise<void | Record<string, unknown>>;
}


const ACTIONS: Readonly<Record<string, VolumeAction>> = {
  'os-extend': {
    schema: Type.Object({ new_size: VolumeSize }, { additionalProperties: false }),
    policy: 'volume:extend',
    status: 202,
    run: async (deps, request, volume, body: { new_size: number | string }) => {
      // 3.42: an in-use volume grows too, under its own rule; its instances are told through compute.
      if (volume.status !== 'in-use' || !EXTEND_IN_USE.select(request.microversion)) {
        await deps.volumes.extend(request.requestContext, volume.id, toSize(body.new_size));
        return;
      }
      authorize(deps, request, 'volume:extend_attached_volume', { project_id: volume.projectId });
      const attached = (await deps.attachments.list({ volumeId: volume.id })).filter((attachment) => attachment.status === 'attached');
      const instances = attached.flatMap((attachment) => (attachment.instanceUuid === null ? [] : [attachment.instanceUuid]));
      await deps.volumes.extend(request.requestContext, volume.id, toSize(body.new_size), instances);
    },
  },
  // 3.68 SUPPORT_REIMAGE_VOLUME; a reserved volume (Nova's rebuild) under its own rule.
  'os-reimage': {
    versions: REIMAGE_VOLUME,
    schema: Type.Object({ image_id: Type.String({ format: 'uuid' }), reimage_reserved: Type.Optional(CinderBoolean) }, { additionalProperties: false }),
    policy: 'volume:reimage',
    status: 202,
    run: async (deps, request, volume, body: { image_id: string; reimage_reserved?: boolean | string }) => {
      if (volume.status === 'reserved') authorize(deps, request, 'volume:reimage_reserved', { project_id: volume.projectId });
      const attachments = await deps.attachments.list({ volumeId: volume.id });
      const instances = [...new Set(attachments.flatMap((attachment) => (attachment.instanceUuid === null ? [] : [attachment.instanceUuid])))];
      await deps.volumes.reimage(request.requestContext, volume.id, body.image_id, toBoolean(body.reimage_reserved ?? false), instances);
    },
  },
  // Cinder's _volume_upload_image: the answer describes the volume as it was and the queued image.
  'os-volume_upload_image': {
    schema: UPLOAD_IMAGE_SCHEMAS,
    policy: 'volume_extension:volume_actions:upload_image',
    status: 202,
    run: async (deps, request, volume, body: UploadImageBody) => {
      const params = UPLOAD_IMAGE_PARAMS.select(request.microversion);
      const visibility = params ? (body.visibility ?? 'private') : undefined;
      if (visibility === 'public') authorize(deps, request, 'volume_extension:volume_actions:upload_public', { project_id: volume.projectId });
      const { image } = await deps.volumes.uploadToImage(request.requestContext, volume.id, {
        imageName: body.image_name,
        force: toBoolean(body.force ?? false),
        diskFormat: body.disk_format ?? 'raw',
        containerFormat: body.container_format ?? 'bare',
        ...(visibility === undefined ? {} : { visibility, protected: toBoolean(body.protected ?? false) }),
      });
      const type = await deps.types.get(volume.volumeTypeId).catch(() => undefined);
      return {
        'os-volume_upload_image': {
          id: volume.id,
          updated_at: cinderTime(volume.updatedAt),
          status: 'uploading',
          display_description: volume.description,
          size: volume.size,
          // Cinder serialises the volume's type object (OSC shows its name).
          volume_type: type === undefined ? null : { id: type.id, name: type.name, description: type.description, is_public: type.isPublic, extra_specs: type.extraSpecs },
          image_id: image.id,
          container_format: image.container_format,
          disk_format: image.disk_format,
          image_name: image.name,
          ...(params ? { protected: image.protected, visibility: image.visibility } : {}),
        },
      };
    },
  },
  'os-reset_status': {
    schema: Type.Object(
      { status: Type.Optional(Type.String()), attach_status: Type.Optional(Type.String()), migration_status: Type.Optional(Type.String()) },
      { additionalProperties: false },
    ),
    policy: 'volume_extension:volume_admin_actions:reset_status',
    status: 202,
    run: (deps, request, volume, body: { status?: string; attach_status?: string }) =>
      deps.volumes.resetStatus(request.requestContext, volume.id, body.status?.toLowerCase(), body.attach_status?.toLowerCase()),
  },
  'os-set_bootable': {
    schema: Type.Object({ bootable: CinderBoolean }, { additionalProperties: false }),
    policy: 'volume:update',
    status: 200,
    run: (deps, request, volume, body: { bootable: boolean | string }) => deps.volumes.setBootable(request.requestContext, volume.id, toBoolean(body.bootable)),
  },
  'os-force_delete': {
    schema: Type.Union([Type.Object({}), Type.Null()]),
    policy: 'volume_extension:volume_admin_actions:force_delete',
    status: 202,
    run: (deps, request, volume) => deps.volumes.delete(request.requestContext, volume.id, { force: true }),
  },
  'os-force_detach': {
    schema: Type.Union([
      Type.Object(
        { connector: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.String(), Type.Null()])), attachment_id: Type.Optional(Type.Union([Type.String(), Type.Null()])) },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    policy: 'volume_extension:volume_admin_actions:force_detach',
    status: 202,
    run: (deps, request, volume, body: { attachment_id?: string | null } | null) =>
      deps.attachments.forceDetach(request.requestContext, volume.id, body?.attachment_id ?? undefined),
  },
  'os-retype': {
    schema: Type.Object(
      { new_type: Type.String({ minLength: 1, maxLength: 255 }), migration_policy: Type.Optional(Type.Union([Type.Literal('never'), Type.Literal('on-demand'), Type.Null()])) },
      { additionalProperties: false },
    ),
    policy: 'volume:retype',
    status: 202,
    run: (deps, request, volume, body: { new_type: string; migration_policy?: MigrationPolicy | null }) =>
      deps.volumes.retype(request.requestContext, volume.id, body.new_type, body.migration_policy ?? 'never'),
  },
  'os-update_readonly_flag': {
    schema: Type.Object({ readonly: CinderBoolean }, { additionalProperties: false }),
    policy: 'volume:update_readonly_flag',
    status: 202,
    run: (deps, request, volume, body: { readonly: boolean | string }) => deps.volumes.setReadonly(request.requestContext, volume.id, toBoolean(body.readonly)),
  },
  'os-set_image_metadata': {
    schema: Type.Object({ metadata: Metadata }, { additionalProperties: false }),
    policy: 'volume_extension:volume_image_metadata:set',
    status: 200,
    run: async (deps, request, volume, body: { metadata: Record<string, string> }) => ({
      metadata: await deps.volumes.setImageMetadata(request.requestContext, volume.id, body.metadata),
    }),
  },
  'os-unset_image_metadata': {
    schema: Type.Object({ key: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }),
    policy: 'volume_extension:volume_image_metadata:remove',
    status: 200,
    run: (deps, request, volume, body: { key: string }) => deps.volumes.unsetImageMetadata(request.requestContext, volume.id, body.key),
  },
  'os-show_image_metadata': {
    schema: Type.Union([Type.Object({}), Type.Null()]),
    policy: 'volume_extension:volume_image_metadata:show',
    status: 200,
    run: (_deps, _request, volume) => Promise.resolve({ metadata: volume.imageMetadata ?? {} }),
  },
  ...ATTACH_ACTIONS,
};

/**
 * Compiled on first use, so start-up does not pay for actions nobody calls; by action and schema,
 * since actions share schemas (os-reserve's and os-unreserve's empty body) under their own keys.
 */
const VALIDATORS = new Map<string, Map<TSchema, (body: unknown) => unknown>>();

function validatorOf(key: string, schema: TSchema): (body: unknown) => unknown {
  const ofAction = VALIDATORS.get(key) ?? new Map<TSchema, (body: unknown) => unknown>();
  VALIDATORS.set(key, ofAction);
  let validate = ofAction.get(schema);
  if (validate === undefined) {
    validate = bodyValidator(Type.Object({ [key]: schema }, { additionalProperties: false }));
    ofAction.set(schema, validate);
  }
  return validate;
}

const Params = Type.Object({ project_id: Type.String(), volume_id: Type.String() });
// One action name to its own body, checked by the action's validator below.
const ActionBody = Type.Unsafe<Record<string, unknown>>({ type: 'object', minProperties: 1 });

export function volumeActionRoutes(deps: VolumeRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/v3/:project_id/volumes/:volume_id/action', { schema: { params: Params, body: ActionBody } }, async (request, reply) => {
      checkProject(request, request.params.project_id);
      const keys = Object.keys(request.body);
      const key = keys[0] ?? '';
      const action = ACTIONS[key];
      if (keys.length !== 1 || action === undefined) throw new BadRequest(`There is no such action: ${key}`);
      action.versions?.select(request.microversion);
      const schema = action.schema instanceof VersionedTable ? action.schema.select(request.microversion) : action.schema;
      validatorOf(key, schema)(request.body);
      const volume = await deps.volumes.get(request.requestContext, request.params.volume_id);
      authorize(deps, request, action.policy, { project_id: volume.projectId });
      const answer = await action.run(deps, request, volume, request.body[key] as never);
      return reply.code(action.status).send(answer ?? undefined);
    });
  };
}
