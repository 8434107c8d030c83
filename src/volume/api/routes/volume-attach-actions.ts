/** The volume actions of Nova's attach flow before the attachments API (3.27), as Cinder still serves them; rows of volume-actions.ts's table. */
import { Type } from '@sinclair/typebox';
import { BadRequest } from '../../../common/errors/errors.js';
import type { VolumeConnector } from '../../volumes/attachment.js';
import type { VolumeAction } from './volume-actions.js';

const Connector = Type.Unsafe<VolumeConnector>({ type: 'object' });
const ConnectorBody = Type.Object({ connector: Connector }, { additionalProperties: false });
const EmptyBody = Type.Union([Type.Object({}), Type.Null()]);

/** A bodiless step of the attach flow that moves the volume's status: `rule` of volume_actions, 202. */
function statusStep(rule: string, step: 'reserve' | 'unreserve' | 'beginDetaching' | 'rollDetaching'): VolumeAction {
  return {
    schema: EmptyBody,
    policy: `volume_extension:volume_actions:${rule}`,
    status: 202,
    run: (deps, request, volume) => deps.attachments[step](request.requestContext, volume.id),
  };
}

export const ATTACH_ACTIONS: Readonly<Record<string, VolumeAction>> = {
  'os-reserve': statusStep('reserve', 'reserve'),
  'os-unreserve': statusStep('unreserve', 'unreserve'),
  'os-begin_detaching': statusStep('begin_detaching', 'beginDetaching'),
  'os-roll_detaching': statusStep('roll_detaching', 'rollDetaching'),
  'os-initialize_connection': {
    schema: ConnectorBody,
    policy: 'volume_extension:volume_actions:initialize_connection',
    status: 200,
    run: async (deps, request, volume, body: { connector: VolumeConnector }) => ({
      connection_info: await deps.attachments.initializeConnection(request.requestContext, volume.id, body.connector),
    }),
  },
  'os-terminate_connection': {
    schema: ConnectorBody,
    policy: 'volume_extension:volume_actions:terminate_connection',
    status: 202,
    run: (deps, request, volume, body: { connector: VolumeConnector }) => deps.attachments.terminateConnection(request.requestContext, volume.id, body.connector),
  },
  'os-attach': {
    schema: Type.Object(
      {
        instance_uuid: Type.Optional(Type.String({ format: 'uuid' })),
        host_name: Type.Optional(Type.String({ maxLength: 255 })),
        mountpoint: Type.String({ maxLength: 255 }),
        mode: Type.Optional(Type.Union([Type.Literal('rw'), Type.Literal('ro')])),
      },
      { additionalProperties: false },
    ),
    policy: 'volume_extension:volume_actions:attach',
    status: 202,
    run: (deps, request, volume, body: { instance_uuid?: string; host_name?: string; mountpoint: string; mode?: 'rw' | 'ro' }) => {
      if (body.instance_uuid === undefined && body.host_name === undefined) throw new BadRequest('Invalid request to attach volume to an invalid target');
      return deps.attachments.attach(request.requestContext, volume.id, {
        instanceUuid: body.instance_uuid ?? null,
        hostName: body.host_name ?? null,
        mountpoint: body.mountpoint,
        mode: body.mode ?? 'rw',
      });
    },
  },
  'os-detach': {
    schema: Type.Union([Type.Object({ attachment_id: Type.Optional(Type.String()) }, { additionalProperties: false }), Type.Null()]),
    policy: 'volume_extension:volume_actions:detach',
    status: 202,
    run: (deps, request, volume, body: { attachment_id?: string } | null) => deps.attachments.detach(request.requestContext, volume.id, body?.attachment_id),
  },
};
