/** GET /v2.1/extensions and /extensions/{alias}: Nova's fixed list of the v2.1 extensions. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFound } from '../../../common/errors/errors.js';
import { NOVA_EXTENSIONS } from './extension-list.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

const ExtensionParams = Type.Object({ alias: Type.String() });

/** One entry as Nova's list holds it: every extension has the same placeholder namespace and date. */
function renderExtension([alias, name, description]: (typeof NOVA_EXTENSIONS)[number]) {
  return { alias, description, links: [], name, namespace: 'http://docs.openstack.org/compute/ext/fake_xml', updated: '2014-12-03T00:00:00Z' };
}

export function extensionRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.1/extensions', async (request) => {
      authorize(deps, request, 'os_compute_api:extensions', {});
      return { extensions: NOVA_EXTENSIONS.map(renderExtension) };
    });

    app.get('/v2.1/extensions/:alias', { schema: { params: ExtensionParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:extensions', {});
      const found = NOVA_EXTENSIONS.find(([alias]) => alias === request.params.alias);
      if (found === undefined) throw new NotFound();
      return { extension: renderExtension(found) };
    });
  };
}
