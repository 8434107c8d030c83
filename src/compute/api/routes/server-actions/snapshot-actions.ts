/** createImage, shelve, shelveOffload and unshelve (the 2.77 availability zone; 2.91's host and unpinning null zone). */
import { Type } from '@sinclair/typebox';
import { BadRequest } from '../../../../common/errors/errors.js';
import { isValidName } from '../../../../common/http/name-formats.js';
import { MetadataValue, NonNegativeInteger, NovaMetadata, NovaName } from '../nova-types.js';
import { versioned } from '../../../../common/http/versioned.js';
import { isVolumeBacked } from '../../../servers/action-support.js';
import type { UnshelveTarget } from '../../../servers/snapshot-actions.js';
import { authorize } from '../route-deps.js';
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

/** schemas/shelve.py unshelve_v291: null, or an object of an availability_zone (a string, or null to unpin) and a host. */
function unshelveTarget(body: Readonly<Record<string, unknown>> | null): UnshelveTarget {
  if (body === null) return {};
  const { availability_zone: zone, host } = body;
  const unknown = Object.keys(body).filter((key) => key !== 'availability_zone' && key !== 'host');
  if (unknown.length > 0 || (zone !== undefined && zone !== null && typeof zone !== 'string') || (host !== undefined && typeof host !== 'string')) {
    throw new BadRequest(`Invalid input for field/attribute unshelve. Value: ${JSON.stringify(body)}. Expected null or {"availability_zone": <name or null>, "host": <name>}`);
  }
  return { ...(zone === undefined ? {} : { availabilityZone: zone }), ...(host === undefined ? {} : { host }) };
}

/** The unshelve body by version: ignored before 2.77, a zone from 2.77, a host and an unpinning null from 2.91. */
const UNSHELVE = versioned<(body: Readonly<Record<string, unknown>> | null) => UnshelveTarget>([
  { min: '2.1', max: '2.76', value: () => ({}) },
  {
    min: '2.77',
    max: '2.90',
    value: (body) => {
      const zone = unshelveZone(body);
      return zone === undefined ? {} : { availabilityZone: zone };
    },
  },
  { min: '2.91', value: unshelveTarget },
]);

export const snapshotActions = [
  serverAction({
    key: 'createImage',
    schema: Type.Object({ name: NovaName, metadata: Type.Optional(NovaMetadata(MetadataValue)) }, { additionalProperties: false }),
    policy: 'os_compute_api:servers:create_image',
    run: async ({ request, context, server, servers, deps, body }) => {
      if (isVolumeBacked(server)) authorize(deps, request, 'os_compute_api:servers:create_image:allow_volume_backed', { project_id: server.row.project_id, user_id: server.row.user_id });
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
    run: ({ request, context, server, servers, deps, body }) => {
      const target = UNSHELVE.select(request.microversion)(body);
      if (target.host !== undefined) authorize(deps, request, 'os_compute_api:os-shelve:unshelve_to_host', { project_id: server.row.project_id, user_id: server.row.user_id });
      return servers.snapshots.unshelve(context, server, target);
    },
  }),
];
