/**
 * /v2.1/os-hosts (Nova's hosts.py, until 2.42): hosts and their resources. Enabling, maintenance
 * and power actions are what Nova's libvirt driver does not implement either: 404 for an unknown
 * host, then Nova's 501.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotImplemented } from '../../../common/errors/errors.js';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import { MultiParam } from './nova-types.js';
import { servedUntil } from './proxy-versions.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

const HostParams = Type.Object({ host_name: Type.String() });
const HostListQuery = Type.Object({ zone: MultiParam(Type.String()) }, { additionalProperties: true });
const Mode = Type.Union(['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE'].map((value) => Type.Literal(value)));
const HostUpdateBody = Type.Object({ status: Type.Optional(Mode), maintenance_mode: Type.Optional(Mode) }, { additionalProperties: false });

const NOT_SUPPORTED = 'The requested functionality is not supported.';

export function hostRoutes(deps: ComputeRouteDeps, admin: ComputeAdmin): FastifyPluginAsyncTypebox {
  return async (app) => {
    servedUntil(app, '2.42');

    app.get('/v2.1/os-hosts', { schema: { querystring: HostListQuery } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-hosts:list', {});
      return { hosts: await admin.hosts.list(request.query.zone?.at(-1)) };
    });

    app.get('/v2.1/os-hosts/:host_name', { schema: { params: HostParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-hosts:show', {});
      return { host: (await admin.hosts.resources(request.params.host_name)).map((resource) => ({ resource })) };
    });

    app.put('/v2.1/os-hosts/:host_name', { schema: { params: HostParams, body: HostUpdateBody } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-hosts:update', {});
      await admin.hosts.assertExists(request.params.host_name);
      throw new NotImplemented(NOT_SUPPORTED);
    });

    for (const [action, rule] of [
      ['startup', 'start'],
      ['shutdown', 'shutdown'],
      ['reboot', 'reboot'],
    ] as const) {
      app.get(`/v2.1/os-hosts/:host_name/${action}`, { schema: { params: HostParams } }, async (request) => {
        authorize(deps, request, `os_compute_api:os-hosts:${rule}`, {});
        await admin.hosts.assertExists(request.params.host_name);
        throw new NotImplemented(NOT_SUPPORTED);
      });
    }
  };
}
