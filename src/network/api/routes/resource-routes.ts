import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { PolicyTarget } from '../../../common/policy/policy.js';
import type { AttributesRead, Caller, ResourceView } from '../../plugin/caller.js';
import { filterViews, pageLinks, pageOf, parseListQuery, queryOf, selectFields, sortViews, TAG_FILTERS, type ListFilters, type ListQuery } from './list-query.js';
import { callerOf, check, enforceOn, enforceWrite, ownerOf, visibleAttributes } from './policy-checks.js';
import type { NetworkRouteDeps } from './route-deps.js';

/** One Neutron resource's collection: what its five routes need to know about it. */
export interface ResourceSpec<C extends TObject, U extends TObject> {
  /** `networks`, `security_group_rules`: the list's body key. */
  readonly collection: string;
  /** The URL path segment where it differs from the collection: `security-group-rules`. */
  readonly path?: string;
  /** `network`, `security_group_rule`: the body key and the policy actions' suffix. */
  readonly member: string;
  readonly createBody: C;
  /** Undefined for resources without an update (security group rules). */
  readonly updateBody?: U;
  readonly notFound: (id: string) => Error;
  readonly create: (owner: string, body: Static<C>, caller: Caller) => Promise<ResourceView>;
  /**
   * The resources the caller may list; `filters` (the query's) may narrow the read, they are applied
   * after it anyway. `attributes`, when given, are all the list reads of each view: others may be left empty or out.
   */
  readonly list: (caller: Caller, filters: ListFilters, attributes: AttributesRead) => Promise<ResourceView[]>;
  readonly get: (id: string) => Promise<ResourceView>;
  readonly update?: (id: string, body: Static<U>) => Promise<ResourceView>;
  readonly delete: (id: string, caller: Caller) => Promise<void>;
  /** The policy target of a resource: the view, plus what its rules read of its network (looked up through `lookups`). */
  readonly target: (view: ResourceView, lookups: TargetLookups) => Promise<PolicyTarget>;
  /** The target of a create: the body with its owner (and its network's owner and sharing, 404 for a network the caller cannot see). */
  readonly createTarget: (owner: string, body: Static<C>, request: FastifyRequest) => Promise<PolicyTarget>;
}

/**
 * The lookups a target needs beyond its view (a port's network, a rule's group), shared by the
 * targets of one request: a list of 100 ports on one network reads the network once.
 */
export type TargetLookups = <T>(key: string, load: () => Promise<T>) => Promise<T>;

export function targetLookups(): TargetLookups {
  const loaded = new Map<string, Promise<unknown>>();
  return <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const known = loaded.get(key);
    if (known !== undefined) return known as Promise<T>;
    const loading = load();
    loaded.set(key, loading);
    return loading;
  };
}

/** The owner under both names, as every Neutron policy target has it. */
export function ownedTarget(view: Readonly<Record<string, unknown>>, owner: unknown): PolicyTarget {
  return { ...view, project_id: owner, tenant_id: owner };
}

const IdParams = Type.Object({ id: Type.String() });

/**
 * What a list reads of each view: the attributes it shows, sorts on and filters by (a tag filter
 * reads `tags`); undefined, all of them, when no `fields` are asked.
 */
function attributesRead(query: ListQuery): AttributesRead {
  if (query.fields.length === 0) return undefined;
  const filters = [...query.filters.keys()];
  return new Set([...query.fields, ...query.sort.map(({ key }) => key), ...filters, ...(filters.some((key) => TAG_FILTERS.has(key)) ? ['tags'] : [])]);
}

/** Neutron's generic controller: create, list (filters, sort, pages, fields), show, update, delete under policy. */
export function resourceRoutes<C extends TObject, U extends TObject>(deps: NetworkRouteDeps, spec: ResourceSpec<C, U>): FastifyPluginAsyncTypebox {
  const { collection, member } = spec;
  const path = `/v2.0/${spec.path ?? collection}`;

  /** The view the caller may see of it (of its attributes `only` when given), or undefined when they may not see it at all. */
  const shown = async (request: FastifyRequest, view: ResourceView, lookups: TargetLookups, only?: ReadonlySet<string>): Promise<ResourceView | undefined> => {
    const target = await spec.target(view, lookups);
    if (!check(deps, request, `get_${member}`, target)) return undefined;
    return visibleAttributes(deps, request, member, view, target, only);
  };

  /** Show and update both start here: the resource, or 404 when the caller may not see it. */
  const existing = async (request: FastifyRequest, id: string): Promise<{ view: ResourceView; target: PolicyTarget }> => {
    const view = await spec.get(id);
    const target = await spec.target(view, targetLookups());
    if (!check(deps, request, `get_${member}`, target)) throw spec.notFound(id);
    return { view, target };
  };

  /** Creates each in turn; a failure deletes the ones already made, so a bulk create is all or nothing. */
  const createAll = async (owned: readonly { body: Static<C>; owner: string }[], caller: Caller): Promise<ResourceView[]> => {
    const made: ResourceView[] = [];
    try {
      for (const { body, owner } of owned) made.push(await spec.create(owner, body, caller));
    } catch (error) {
      for (const view of made.reverse()) await spec.delete(String(view['id']), caller);
      throw error;
    }
    return made;
  };

  return async (app) => {
    // One resource under its member key, or Neutron's bulk create: a list under the collection key.
    const createSchema: TSchema = Type.Object(
      { [member]: Type.Optional(spec.createBody), [collection]: Type.Optional(Type.Array(spec.createBody, { minItems: 1 })) },
      { additionalProperties: false, minProperties: 1, maxProperties: 1 },
    );
    app.post(path, { schema: { body: createSchema } }, async (request, reply) => {
      const single = (request.body as Record<string, Static<C> | undefined>)[member];
      const bodies = single === undefined ? ((request.body as Record<string, Static<C>[]>)[collection] ?? []) : [single];
      const caller = callerOf(deps, request);
      const owned = bodies.map((body) => ({ body, owner: ownerOf(request, body) }));
      for (const { body, owner } of owned) enforceWrite(deps, request, `create_${member}`, body, await spec.createTarget(owner, body, request));
      const views = await createAll(owned, caller);
      const lookups = targetLookups();
      const shownViews = await Promise.all(views.map(async (view) => (await shown(request, view, lookups)) ?? view));
      return reply.code(201).send(single === undefined ? { [collection]: shownViews } : { [member]: shownViews[0] });
    });

    app.get(path, async (request) => {
      const query = parseListQuery(queryOf(request));
      const visible: ResourceView[] = [];
      const lookups = targetLookups();
      const read = attributesRead(query);
      for (const view of filterViews(await spec.list(callerOf(deps, request), query.filters, read), query.filters)) {
        const seen = await shown(request, view, lookups, read);
        if (seen !== undefined) visible.push(seen);
      }
      const { page, more } = pageOf(sortViews(visible, query.sort), query, spec.notFound);
      const links = pageLinks(`${deps.publicUrl}/network${path}`, query, page, more);
      return { [collection]: page.map((view) => selectFields(view, query.fields)), ...(links.length === 0 ? {} : { [`${collection}_links`]: links }) };
    });

    app.get(`${path}/:id`, { schema: { params: IdParams } }, async (request) => {
      const { view, target } = await existing(request, request.params.id);
      return { [member]: selectFields(visibleAttributes(deps, request, member, view, target), parseListQuery(queryOf(request)).fields) };
    });

    const { update, updateBody } = spec;
    if (update !== undefined && updateBody !== undefined) {
      app.put(
        `${path}/:id`,
        { schema: { params: IdParams, body: Type.Object({ [member]: updateBody }, { additionalProperties: false }) } },
        async (request) => {
          const body = (request.body as Record<string, Static<U>>)[member] as Static<U>;
          const { target } = await existing(request, request.params.id);
          enforceOn(deps, request, `update_${member}`, member, target, () => spec.notFound(request.params.id));
          enforceWrite(deps, request, `update_${member}`, body, target);
          const view = await update(request.params.id, body);
          return { [member]: (await shown(request, view, targetLookups())) ?? view };
        },
      );
    }

    app.delete(`${path}/:id`, { schema: { params: IdParams } }, async (request, reply) => {
      const { target } = await existing(request, request.params.id);
      enforceOn(deps, request, `delete_${member}`, member, target, () => spec.notFound(request.params.id));
      await spec.delete(request.params.id, callerOf(deps, request));
      return reply.code(204).send();
    });
  };
}
