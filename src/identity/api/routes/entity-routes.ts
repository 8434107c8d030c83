import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static, TObject, TProperties } from '@sinclair/typebox';
import type { PolicyTarget } from '../../../common/policy/policy.js';
import { authorize, targetOrEmpty, type IdentityRouteDeps } from './route-deps.js';
import { extraOf, IdParams } from './schema-types.js';

type RouteScope = Parameters<FastifyPluginAsyncTypebox>[0];

/** One Keystone entity's show, update and delete: the same three handlers for every entity. */
export interface EntityRoutesSpec<Ref, Member extends string, Body extends TObject> {
  /** The path segment and the policy rules' plural: `groups` → /v3/groups/:id. */
  readonly collection: string;
  /** The body's key and the rules' singular: `group` → identity:get_group, `{ group: … }`. */
  readonly member: Member;
  /** The PATCH body's schema: `{ <member>: … }`. */
  readonly updateBody: Body;
  /** The member's declared fields; the others are kept as extra attributes. */
  readonly properties: TProperties;
  readonly render: (ref: Ref) => unknown;
  /** The policy target of a request naming entity `id`. */
  readonly target: (id: string) => Promise<PolicyTarget>;
  readonly get: (id: string) => Promise<Ref>;
  readonly update: (id: string, changes: Static<Body>[Member] & { readonly extra: Record<string, unknown> }) => Promise<Ref>;
  readonly delete: (id: string) => Promise<void>;
}

/** GET, PATCH and DELETE /v3/<collection>/:id, each authorized against the entity's target first. */
export function registerEntityRoutes<Ref, Member extends string, Body extends TObject>(
  app: RouteScope,
  deps: IdentityRouteDeps,
  spec: EntityRoutesSpec<Ref, Member, Body>,
): void {
  const { collection, member } = spec;
  const path = `/v3/${collection}/:id`;
  app.get(path, { schema: { params: IdParams } }, async (request) => {
    authorize(deps, request, `identity:get_${member}`, await spec.target(request.params.id));
    return { [member]: spec.render(await spec.get(request.params.id)) };
  });
  app.patch(path, { schema: { params: IdParams, body: spec.updateBody } }, async (request) => {
    authorize(deps, request, `identity:update_${member}`, await spec.target(request.params.id));
    const body = (request.body as Static<Body>)[member] as Static<Body>[Member] & object;
    return { [member]: spec.render(await spec.update(request.params.id, { ...body, extra: extraOf(body, spec.properties) })) };
  });
  app.delete(path, { schema: { params: IdParams } }, async (request, reply) => {
    authorize(deps, request, `identity:delete_${member}`, await spec.target(request.params.id));
    await spec.delete(request.params.id);
    return reply.code(204).send();
  });
}

/**
 * Keystone's policy target of a request naming one entity: the entity as the API shows it, left
 * out when it does not exist (the 404 comes after the policy check), and with `idKey` the path's
 * id under that key (`group_id`) for rules that read it.
 */
export function entityTarget<Ref>(member: string, get: (id: string) => Promise<Ref>, render: (ref: Ref) => unknown, idKey?: string) {
  return async (id: string): Promise<PolicyTarget> => {
    const ref = await targetOrEmpty(() => get(id));
    return { ...(idKey === undefined ? {} : { [idKey]: id }), ...(ref === undefined ? {} : { target: { [member]: render(ref) } }) };
  };
}
