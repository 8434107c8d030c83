import type { FastifyRequest } from 'fastify';
import type { Credentials, PolicyTarget } from '../../../common/policy/policy.js';
import { NeutronFault } from '../../errors.js';
import type { Caller, ResourceView } from '../../plugin/caller.js';
import { NETWORK_POLICIES } from '../../policies.js';
import type { NetworkRouteDeps } from './route-deps.js';

const RULES = new Set(NETWORK_POLICIES.map((rule) => rule.name));

/** Per member (`port`), the attributes a rule of its own guards (`get_port:binding:host_id` → `binding:host_id`). */
const GUARDED_ATTRIBUTES = new Map<string, string[]>();
for (const rule of RULES) {
  const match = /^get_([a-z_]+):(.+)$/.exec(rule);
  if (match === null) continue;
  const [, member = '', attribute = ''] = match;
  GUARDED_ATTRIBUTES.set(member, [...(GUARDED_ATTRIBUTES.get(member) ?? []), attribute]);
}

/** The credentials of each request, made once: a list checks several rules for each of its rows. */
const CREDENTIALS = new WeakMap<FastifyRequest, Credentials & { tenant_id?: string }>();

/** Neutron's credentials carry the project as `tenant_id` too (its rules test `tenant_id:%(…)s`). */
function credentials(deps: NetworkRouteDeps, request: FastifyRequest): Credentials & { tenant_id?: string } {
  const known = CREDENTIALS.get(request);
  if (known !== undefined) return known;
  const made = neutronCredentials(deps.credentialsOf(request));
  CREDENTIALS.set(request, made);
  return made;
}

/** The caller's credentials as Neutron's policy reads them: the project also as `tenant_id`. */
export function neutronCredentials(base: Credentials): Credentials & { tenant_id?: string } {
  return base.project_id === undefined ? base : { ...base, tenant_id: base.project_id };
}

export function check(deps: NetworkRouteDeps, request: FastifyRequest, action: string, target: PolicyTarget): boolean {
  return deps.policy.check(action, target, credentials(deps, request));
}

/** Neutron's 403 wording. */
function forbidden(action: string): NeutronFault {
  return new NeutronFault(403, 'PolicyNotAuthorized', `(rule:${action}) is disallowed by policy`);
}

/** The caller: an administrator lists everything, anyone else what their project may see. */
export function callerOf(deps: NetworkRouteDeps, request: FastifyRequest): Caller {
  return { projectId: request.requestContext.projectId, isAdmin: check(deps, request, 'context_is_admin', {}) };
}

/** The owner a create names (`project_id` or `tenant_id`), else the caller's project. */
export function ownerOf(request: FastifyRequest, body: { project_id?: string; tenant_id?: string }): string {
  return body.project_id ?? body.tenant_id ?? request.requestContext.projectId ?? '';
}

/**
 * Neutron's enforcement of a create or update: the action's rule, then the rule of each attribute
 * the body sets that has one (`create_network:shared`, `create_port:fixed_ips:ip_address`).
 */
export function enforceWrite(deps: NetworkRouteDeps, request: FastifyRequest, action: string, body: Readonly<Record<string, unknown>>, target: PolicyTarget): void {
  if (!check(deps, request, action, target)) throw forbidden(action);
  for (const [attribute, value] of Object.entries(body)) {
    const rule = `${action}:${attribute}`;
    if (RULES.has(rule) && !check(deps, request, rule, target)) throw forbidden(rule);
    for (const nested of nestedKeys(value)) {
      const nestedRule = `${rule}:${nested}`;
      if (RULES.has(nestedRule) && !check(deps, request, nestedRule, target)) throw forbidden(nestedRule);
    }
  }
}

/** The keys of an object, or of the objects in a list (`fixed_ips: [{ip_address}]`). */
function nestedKeys(value: unknown): string[] {
  const objects: unknown[] = Array.isArray(value) ? value : [value];
  return objects.flatMap((item) => (typeof item === 'object' && item !== null ? Object.keys(item) : []));
}

/**
 * Refuses an action on an existing resource as Neutron does: 404 when the caller may not even see
 * it (its existence does not leak), 403 when they see it but may not do this.
 */
export function enforceOn(deps: NetworkRouteDeps, request: FastifyRequest, action: string, member: string, target: PolicyTarget, notFound: () => Error): void {
  if (check(deps, request, action, target)) return;
  if (!check(deps, request, `get_${member}`, target)) throw notFound();
  throw forbidden(action);
}

/**
 * The view without the attributes the caller may not read (`get_network:provider:network_type`).
 * With `only` (what a list's `fields` and sort keys read), the rest are not checked: they are not
 * shown anyway, and 100 ports of Nova's security group lookup cost 400 policy checks fewer.
 */
export function visibleAttributes(
  deps: NetworkRouteDeps,
  request: FastifyRequest,
  member: string,
  view: ResourceView,
  target: PolicyTarget,
  only?: ReadonlySet<string>,
): ResourceView {
  const hidden = (GUARDED_ATTRIBUTES.get(member) ?? []).filter(
    (attribute) => attribute in view && (only === undefined || only.has(attribute)) && !check(deps, request, `get_${member}:${attribute}`, target),
  );
  if (hidden.length === 0) return view;
  const shown = { ...view };
  for (const attribute of hidden) delete shown[attribute];
  return shown;
}
