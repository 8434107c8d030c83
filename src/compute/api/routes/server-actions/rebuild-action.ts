/**
 * rebuild: the body's schema grows by microversion (description 2.19, key_name 2.54, user_data
 * 2.57, trusted_image_certificates 2.63, hostname 2.90), so it is checked here against the table
 * rather than in the route; the answer is the server as it is now, with its new admin password.
 */
import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { bodyValidator } from '../../../../common/http/validation.js';
import { versioned } from '../../../../common/http/versioned.js';
import type { Microversion } from '../../../../common/http/microversion.js';
import type { RebuildRequest } from '../../../servers/rebuild-server.js';
import type { Server } from '../../../servers/server.js';
import type { ServersService } from '../../../servers/servers-service.js';
import { resourceLinks } from '../links.js';
import { boolFromString, MetadataValue, NovaBoolean, NovaDescription, NovaHostname, NovaMetadata, NovaName } from '../nova-types.js';
import { authorize, type ComputeRouteDeps } from '../route-deps.js';
import { serverView } from '../servers.js';
import type { DiskConfig } from '../../../servers/disk-config.js';
import { serverAction, type ServerActionReply } from './server-action.js';

/** schemas/servers.py rebuild (2.1). */
const REBUILD_V21 = {
  name: Type.Optional(NovaName),
  imageRef: Type.String({ format: 'uuid' }),
  adminPass: Type.Optional(Type.String()),
  metadata: Type.Optional(NovaMetadata(MetadataValue)),
  preserve_ephemeral: Type.Optional(NovaBoolean),
  'OS-DCF:diskConfig': Type.Optional(Type.Unsafe<DiskConfig>({ type: 'string', enum: ['AUTO', 'MANUAL'] })),
  accessIPv4: Type.Optional(Type.String({ format: 'ipv4' })),
  accessIPv6: Type.Optional(Type.String({ format: 'ipv6' })),
};
const REBUILD_V219 = { ...REBUILD_V21, description: Type.Optional(NovaDescription) };
const REBUILD_V254 = { ...REBUILD_V219, key_name: Type.Optional(Type.Union([NovaName, Type.Null()])) };
const REBUILD_V257 = { ...REBUILD_V254, user_data: Type.Optional(Type.Union([Type.String({ maxLength: 65535 }), Type.Null()])) };
const REBUILD_V263 = {
  ...REBUILD_V257,
  trusted_image_certificates: Type.Optional(
    Type.Unsafe<string[] | null>({ type: ['array', 'null'], minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1 } }),
  ),
};
const REBUILD_V290 = {
  ...REBUILD_V263,
  hostname: Type.Optional(NovaHostname),
};

/** The fields of the newest schema; older ones simply lack some. */
type RebuildBody = Static<TObject<typeof REBUILD_V290>>;

/** The whole action body, so messages name the field as Nova's do (`field/attribute rebuild`). */
function rebuildValidator<P extends TProperties>(properties: P): (body: unknown) => Static<TObject<P>> {
  const validate = bodyValidator(Type.Object({ rebuild: Type.Object(properties, { additionalProperties: false }) }));
  return (body) => validate({ rebuild: body }).rebuild;
}

/** Each version's body is the newest one without the later fields, so one validated type serves all. */
const REBUILD_BODY = versioned<(body: unknown) => RebuildBody>([
  { min: '2.1', max: '2.18', value: rebuildValidator(REBUILD_V21) },
  { min: '2.19', max: '2.53', value: rebuildValidator(REBUILD_V219) },
  { min: '2.54', max: '2.56', value: rebuildValidator(REBUILD_V254) },
  { min: '2.57', max: '2.62', value: rebuildValidator(REBUILD_V257) },
  { min: '2.63', max: '2.89', value: rebuildValidator(REBUILD_V263) },
  { min: '2.90', value: rebuildValidator(REBUILD_V290) },
]);

function toRebuildRequest(body: RebuildBody, version: Microversion): RebuildRequest {
  return {
    imageRef: body.imageRef,
    reimageBootVolume: version.isAtLeast('2.93'),
    preserveEphemeral: body.preserve_ephemeral === undefined ? false : (boolFromString(body.preserve_ephemeral) ?? false),
    ...(body.adminPass === undefined ? {} : { adminPass: body.adminPass }),
    ...(body.name === undefined ? {} : { name: body.name }),
    ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
    ...(body.accessIPv4 === undefined ? {} : { accessIPv4: body.accessIPv4 }),
    ...(body.accessIPv6 === undefined ? {} : { accessIPv6: body.accessIPv6 }),
    ...(body.description === undefined ? {} : { description: body.description }),
    ...(body.key_name === undefined ? {} : { keyName: body.key_name }),
    ...(body.user_data === undefined ? {} : { userData: body.user_data }),
    ...(body.trusted_image_certificates === undefined ? {} : { trustedImageCertificates: body.trusted_image_certificates }),
    ...(body.hostname === undefined ? {} : { hostname: body.hostname }),
    ...(body['OS-DCF:diskConfig'] === undefined ? {} : { diskConfig: body['OS-DCF:diskConfig'] }),
  };
}

/** The rebuild answer: the server view, its new admin password, and user_data from 2.57 (Location: the server). */
async function rebuildReply(deps: ComputeRouteDeps, request: FastifyRequest, servers: ServersService, server: Server, adminPass: string): Promise<ServerActionReply> {
  const view: Record<string, unknown> = { ...(await serverView(deps, request, servers, server, 'rebuild')), adminPass };
  if (request.microversion.isAtLeast('2.57')) view['user_data'] = server.row.user_data;
  const self = resourceLinks(deps.publicUrl, 'servers', server.row.uuid)[0]?.href ?? '';
  return { status: 202, body: { server: view }, headers: { location: self } };
}

export const rebuildAction = serverAction({
  key: 'rebuild',
  // The route only checks it is an object; REBUILD_BODY checks it for the request's microversion.
  schema: Type.Object({}, { additionalProperties: true }),
  policy: 'os_compute_api:servers:rebuild',
  run: async ({ request, context, server, target, servers, body, deps }) => {
    const rebuild = toRebuildRequest(REBUILD_BODY.select(request.microversion)(body), request.microversion);
    if (rebuild.trustedImageCertificates !== undefined) authorize(deps, request, 'os_compute_api:servers:rebuild:trusted_certs', target);
    const adminPass = await servers.guest.rebuild(context, server, rebuild);
    return rebuildReply(deps, request, servers, await servers.get(context, server.row.uuid), adminPass);
  },
});
