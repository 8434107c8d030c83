/** createImage, shelve, shelveOffload and unshelve (the 2.77 availability zone; the 2.91 host form is beyond this API's range). */
import { Type } from '@sinclair/typebox';
import { BadRequest } from '../../../../common/errors/errors.js';
import { isValidName } from '../../../../common/http/name-formats.js';
import { MetadataValue, NonNegativeInteger, NovaMetadata, NovaName } from '../nova-types.js';
import { NoArgs, serverAction } from './server-action.js';


/** Before 2.77 Nova reads no unshelve body; from 2.77 it is null or exactly {"availability_zone": <name>}. */
const UnshelveBody = Type.Union([Type.Null(), Type.Object({}, { additionalProperties: Type.Unknown() })]);

function unshelveZone(body: Readonly<Record<string, unknown>> | null): string | undefined {
  if (body === null) return undefined;
  const zone = body['availability_zone'];
  const valid = typeof zone === 'string' && zone.length >= 1 && zone.length <= 255 && isValidName(zone);
  if (Object.keys(body).length !== 1 || !valid) {
    throw new BadRequest(`Invalid input for field/attribute unshelve. Value: ${JSON.stringify(body)}. Expected null or {"availability_zone": <name>}`);
  }
  return zone;
}

export const snapshotActions = [
  serverAction({
    key: 'createImage',
    schema: Type.Object({ name: NovaName, metadata: Type.Optional(NovaMetadata(MetadataValue)) }, { additionalProperties: false }),
    policy: 'os_compute_api:servers:create_image',
    run: async ({ request, context, server, servers, deps, body }) => {
      // From 2.39 image metadata no longer counts against the metadata_items quota.
      const image = await servers.snapshots.createImage(context, server, body.name, body.metadata ?? {}, !request.microversion.isAtLeast('2.39'));
      // From 2.45 the id comes in the body instead of a Location header.
      if (request.microversion.isAtLeast('2.45')) return { status: 202, body: { image_id: image.id } };
      return { status: 202, headers: { location: `${deps.publicUrl}/image/v2/images/${image.id}` } };
    },
  }),
  serverAction({
    key: 'createBackup',
    schema: Type.Object(
      { name: NovaName, backup_type: Type.String(), rotation: NonNegativeInteger, metadata: Type.Optional(NovaMetadata(MetadataValue)) },
      { additionalProperties: false },
    ),
    policy: 'os_compute_api:os-create-backup',
    run: async ({ request, context, server, servers, deps, body }) => {
      const backup = { name: body.name, backupType: body.backup_type, rotation: Number(body.rotation), metadata: body.metadata ?? {} };
      const image = await servers.snapshots.createBackup(context, server, backup, !request.microversion.isAtLeast('2.39'));
      if (request.microversion.isAtLeast('2.45')) return { status: 202, body: { image_id: image.id } };
      // Before 2.45 the Location names the backup only when rotation keeps one.
      return backup.rotation > 0 ? { status: 202, headers: { location: `${deps.publicUrl}/image/v2/images/${image.id}` } } : undefined;
    },
  }),
  serverAction({
    key: 'shelve',
    schema: NoArgs,
    policy: 'os_compute_api:os-shelve:shelve',
    run: ({ context, server, servers }) => servers.snapshots.shelve(context, server),
  }),
  serverAction({
    key: 'shelveOffload',
    schema: NoArgs,
    policy: 'os_compute_api:os-shelve:shelve_offload',
    run: ({ context, server, servers }) => servers.snapshots.shelveOffload(context, server),
  }),
  serverAction({
    key: 'unshelve',
    schema: UnshelveBody,
    policy: 'os_compute_api:os-shelve:unshelve',
    run: ({ request, context, server, servers, body }) =>
      servers.snapshots.unshelve(context, server, request.microversion.isAtLeast('2.77') ? unshelveZone(body) : undefined),
  }),
];
