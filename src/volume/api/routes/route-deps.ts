import type { FastifyRequest } from 'fastify';
import { BadRequest, Forbidden } from '../../../common/errors/errors.js';
import type { Credentials, PolicyEnforcer, PolicyTarget } from '../../../common/policy/policy.js';
import type { ServiceRegistry } from '../../../common/service/service-registry.js';
import type { VolumeCore } from '../../volume-core.js';

/** What the volume routes need from the composition root: the services, and the API's own parts. */
export interface VolumeRouteDeps extends VolumeCore {
  /** os-services: the cinder-* rows of the services table, and an operator's flags on them. */
  readonly services: Pick<ServiceRegistry, 'list' | 'setFlags'>;
  readonly policy: PolicyEnforcer;
  readonly credentialsOf: (request: FastifyRequest) => Credentials;
  /** Base URL clients reach the listener at; links are `<publicUrl>/volume/v3/<project>/…`. */
  readonly publicUrl: string;
}

/** Cinder's `osapi_max_limit`: the largest page a list returns. */
export const MAX_LIMIT = 1000;

/** Enforces a Cinder policy rule; refused, it is 403 in Cinder's words. */
export function authorize(deps: VolumeRouteDeps, request: FastifyRequest, action: string, target: PolicyTarget): void {
  if (!deps.policy.check(action, target, deps.credentialsOf(request))) {
    throw new Forbidden(`Policy doesn't allow ${action} to be performed.`);
  }
}

/** Whether the caller passes a rule (for attributes a view shows only to some). */
export function allowed(deps: VolumeRouteDeps, request: FastifyRequest, action: string, target: PolicyTarget): boolean {
  return deps.policy.check(action, target, deps.credentialsOf(request));
}

/** The caller's own project as a policy target (creates, lists). */
export function ownTarget(request: FastifyRequest): PolicyTarget {
  return { project_id: request.requestContext.projectId };
}

/**
 * Cinder's check of the URL's project: another project's id in the path is a 400 for anyone but
 * an admin, whose requests may name any project.
 */
export function checkProject(request: FastifyRequest, projectId: string): void {
  const { projectId: own, isAdmin } = request.requestContext;
  if (projectId !== own && isAdmin !== true) {
    throw new BadRequest(`Malformed request url: URL's project_id '${projectId}' doesn't match Context's project_id '${own ?? 'None'}'`);
  }
}

/** The query string's values, first value of each key. */
export function queryOf(request: FastifyRequest): Record<string, string> {
  const index = request.url.indexOf('?');
  const params = new URLSearchParams(index < 0 ? '' : request.url.slice(index + 1));
  const result: Record<string, string> = {};
  for (const [key, value] of params) if (!(key in result)) result[key] = value;
  return result;
}

/**
 * Cinder's order for a resource named in the URL: the URL's project (400), the lookup (404), then
 * `action` against the resource's owner (403). Returns what `load` found.
 */
export async function loadAuthorized<T extends { readonly projectId: string }>(
  deps: VolumeRouteDeps,
  request: FastifyRequest & { readonly params: { readonly project_id: string } },
  action: string,
  load: () => Promise<T>,
): Promise<T> {
  checkProject(request, request.params.project_id);
  const found = await load();
  authorize(deps, request, action, { project_id: found.projectId });
  return found;
}

/** What a rename sets; a key the body leaves out is left as it is. */
export interface NameChanges {
  readonly name?: string | null;
  readonly description?: string | null;
}

/** An update body's name and description, Cinder's `display_*` aliases read where the plain key is absent. */
export function nameChanges(body: NameChanges & { readonly display_name?: string | null; readonly display_description?: string | null }): NameChanges {
  const name = body.name ?? body.display_name;
  const description = body.description ?? body.display_description;
  return { ...(name === undefined ? {} : { name }), ...(description === undefined ? {} : { description }) };
}
