/**
 * GET /v2.1/nimbus/request-timelines/{request_id} (admin; a Nimbus extension, under `nimbus/` so
 * it never meets a Nova path): the steps a request took through the compute services, from the
 * per-request trace and the instance action events. An unknown request id is 404.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFound } from '../../../common/errors/errors.js';
import type { RequestStepStore } from '../../db/request-step-store.js';
import { requestTimeline } from '../../timeline/request-timeline.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

const TimelineParams = Type.Object({ request_id: Type.String({ minLength: 1, maxLength: 255 }) });

export function requestTimelineRoutes(deps: ComputeRouteDeps, steps: RequestStepStore): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/nimbus/request-timelines/:request_id', { schema: { params: TimelineParams } }, async (request) => {
      authorize(deps, request, 'nimbus:request-timeline:show', {});
      const { request_id: requestId } = request.params;
      const [actions, traced] = await Promise.all([steps.actions(requestId), steps.steps(requestId)]);
      if (actions.length === 0 && traced.length === 0) throw new NotFound(`Request ${requestId} could not be found.`);
      return { request_timeline: requestTimeline(requestId, actions, traced) };
    });
  };
}
