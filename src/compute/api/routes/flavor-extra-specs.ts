import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import type { FastifyRequest } from 'fastify';
import { validateExtraSpec } from '../extra-spec-validation.js';
import { FlavorParams } from './flavors.js';
import { NovaMetadata } from './nova-types.js';
import { authorize, ownTarget, viewerOf, type ComputeRouteDeps } from './route-deps.js';

/** Nova's extra spec values: strings, numbers or booleans, stored as strings. */
const SpecValue = Type.Unsafe<string | number | boolean>({ type: ['string', 'number', 'boolean'], minLength: 0, maxLength: 255 });
const SpecMap = NovaMetadata(SpecValue);

export const ExtraSpecsCreateBody = Type.Object({ extra_specs: SpecMap }, { additionalProperties: false });
export const ExtraSpecKeyParams = Type.Object({ flavor_id: Type.String(), key: Type.String() });

/** Python's str() of a JSON scalar, as Nova stores spec values. */
function specString(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** From 2.86 each spec is checked against Nova's registered validators before anything is written. */
function checkSpecs(request: FastifyRequest, specs: Readonly<Record<string, string>>): void {
  if (!request.microversion.isAtLeast('2.86')) return;
  for (const [name, value] of Object.entries(specs)) validateExtraSpec(name, value);
}

function asStrings(specs: Readonly<Record<string, string | number | boolean>>): Record<string, string> {
  return Object.fromEntries(Object.entries(specs).map(([key, value]) => [key, specString(value)]));
}

/** /v2.1/flavors/{id}/os-extra_specs: readers list and show, admins write (checked from 2.86). */
export function flavorExtraSpecRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  const { flavors } = deps;
  return async (app) => {
    app.get('/v2.1/flavors/:flavor_id/os-extra_specs', { schema: { params: FlavorParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-flavor-extra-specs:index', ownTarget(request));
      return { extra_specs: (await flavors.get(viewerOf(request), request.params.flavor_id)).extra_specs };
    });

    app.post('/v2.1/flavors/:flavor_id/os-extra_specs', { schema: { params: FlavorParams, body: ExtraSpecsCreateBody } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-flavor-extra-specs:create', ownTarget(request));
      const specs = asStrings(request.body.extra_specs);
      checkSpecs(request, specs);
      await flavors.setExtraSpecs(request.params.flavor_id, specs);
      return { extra_specs: specs };
    });

    app.get('/v2.1/flavors/:flavor_id/os-extra_specs/:key', { schema: { params: ExtraSpecKeyParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-flavor-extra-specs:show', ownTarget(request));
      const { flavor_id: flavorid, key } = request.params;
      const specs = (await flavors.get(viewerOf(request), flavorid)).extra_specs;
      const value = specs[key];
      if (value === undefined) throw new NotFound(`Flavor ${flavorid} has no extra specs with key ${key}.`);
      return { [key]: value };
    });

    app.put('/v2.1/flavors/:flavor_id/os-extra_specs/:key', { schema: { params: ExtraSpecKeyParams, body: SpecMap } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-flavor-extra-specs:update', ownTarget(request));
      const { flavor_id: flavorid, key } = request.params;
      const entries = Object.entries(request.body);
      if (entries.length > 1) throw new BadRequest('Request body contains too many items');
      const value = request.body[key];
      if (value === undefined) throw new BadRequest('Request body and URI mismatch');
      checkSpecs(request, { [key]: specString(value) });
      await flavors.setExtraSpecs(flavorid, { [key]: specString(value) });
      return { [key]: specString(value) };
    });

    app.delete('/v2.1/flavors/:flavor_id/os-extra_specs/:key', { schema: { params: ExtraSpecKeyParams } }, async (request, reply) => {
      authorize(deps, request, 'os_compute_api:os-flavor-extra-specs:delete', ownTarget(request));
      await flavors.get(viewerOf(request), request.params.flavor_id);
      await flavors.deleteExtraSpec(request.params.flavor_id, request.params.key);
      // Nova answers 200 with no body here (not 202 or 204), and Tempest's schema expects exactly that.
      return reply.code(200).send();
    });
  };
}
