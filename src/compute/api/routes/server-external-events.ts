/**
 * POST /v2.1/os-server-external-events: Nova's ServerExternalEventsController. Neutron reports a
 * port plugged, unplugged, deleted or changed (Cinder a volume extended, Ironic a power update);
 * each event is cast to its server's host. The event names grow with the microversion.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { bodyValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import type { ServersService } from '../../servers/servers-service.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

const NAMES_2_0 = ['network-changed', 'network-vif-plugged', 'network-vif-unplugged', 'network-vif-deleted'];
const NAMES_2_51 = [...NAMES_2_0, 'volume-extended'];
const NAMES_2_76 = [...NAMES_2_51, 'power-update'];
const NAMES_2_82 = [...NAMES_2_76, 'accelerator-request-bound'];
const NAMES_2_93 = [...NAMES_2_82, 'volume-reimaged'];

/** schemas/server_external_events.py create for one set of names. */
function createBody(names: readonly string[]) {
  return bodyValidator(
    Type.Object(
      {
        events: Type.Array(
          Type.Object(
            {
              server_uuid: Type.String({ format: 'uuid' }),
              name: Type.Unsafe<string>({ type: 'string', enum: [...names] }),
              status: Type.Optional(Type.Union([Type.Literal('failed'), Type.Literal('completed'), Type.Literal('in-progress')])),
              tag: Type.Optional(Type.String({ maxLength: 255 })),
            },
            { additionalProperties: false },
          ),
          { minItems: 1 },
        ),
      },
      { additionalProperties: false },
    ),
  );
}

const CREATE = versioned([
  { min: '2.1', max: '2.50', value: createBody(NAMES_2_0) },
  { min: '2.51', max: '2.75', value: createBody(NAMES_2_51) },
  { min: '2.76', max: '2.81', value: createBody(NAMES_2_76) },
  { min: '2.82', max: '2.92', value: createBody(NAMES_2_82) },
  { min: '2.93', value: createBody(NAMES_2_93) },
]);

export function serverExternalEventRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/v2.1/os-server-external-events', async (request, reply) => {
      // Nova passes an empty target: Neutron calls with its own project, not the server's.
      authorize(deps, request, 'os_compute_api:os-server-external-events:create', {});
      const body = CREATE.select(request.microversion)(request.body);
      const result = await servers.externalEvents(body.events);
      return reply.code(result.code).send({ events: result.events });
    });
  };
}
