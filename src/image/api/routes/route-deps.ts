import type { FastifyRequest } from 'fastify';
import { Forbidden, NotFound } from '../../../common/errors/errors.js';
import type { Credentials, PolicyEnforcer, PolicyTarget } from '../../../common/policy/policy.js';
import type { ImageRef } from '../../images/image.js';
import type { ImageService } from '../../images/image-service.js';
import type { NamespaceRef } from '../../metadefs/metadef.js';

/** What the image routes need from the composition root. */
export interface ImageRouteDeps {
  readonly images: ImageService;
  readonly policy: PolicyEnforcer;
  /** The caller as policy sees them (set by the auth middleware before any route runs). */
  readonly credentialsOf: (request: FastifyRequest) => Credentials;
  /** Base URL clients reach the listener at; Glance's own links are relative, so only discovery uses it. */
  readonly publicUrl: string;
}

/** The X-Image-Meta-Store header: the store an upload or import names. */
export function storeHeaderOf(request: FastifyRequest): string | undefined {
  const value = request.headers['x-image-meta-store'];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Glance's policy target for an image: its owner as `project_id` and `owner`, its visibility,
 * and as `member_id` the caller's project when it sees a shared image it does not own (it can
 * only be a member then), or the member a member route names.
 */
export function imageTarget(request: FastifyRequest, image: ImageRef, memberId?: string): PolicyTarget {
  const { projectId } = request.requestContext;
  const callerIsMember = image.visibility === 'shared' && projectId !== undefined && projectId !== image.owner;
  return {
    project_id: image.owner,
    owner: image.owner,
    visibility: image.visibility,
    member_id: memberId ?? (callerIsMember ? projectId : undefined),
  };
}

function forbidden(action: string): Forbidden {
  return new Forbidden(`You are not authorized to complete ${action} action.`);
}

/** Enforces a rule that has no existing image as target (create, list). */
export function authorize(deps: ImageRouteDeps, request: FastifyRequest, action: string, target: PolicyTarget): void {
  if (!deps.policy.check(action, target, deps.credentialsOf(request))) throw forbidden(action);
}

/**
 * Enforces a rule on an image as Glance's ImageAPIPolicy does: refused by a caller who may not
 * even read the image, it is 404, so the image's existence does not leak.
 */
export function authorizeOnImage(deps: ImageRouteDeps, request: FastifyRequest, action: string, image: ImageRef, memberId?: string): void {
  const credentials = deps.credentialsOf(request);
  if (deps.policy.check(action, imageTarget(request, image, memberId), credentials)) return;
  if (action === 'get_image' || !deps.policy.check('get_image', imageTarget(request, image), credentials)) {
    throw new NotFound(`No image found with ID ${image.id}`);
  }
  throw forbidden(action);
}

/** Glance's MetadefAPIPolicy target: the namespace's owner as `project_id`, and its visibility. */
function namespaceTarget(namespace: NamespaceRef): PolicyTarget {
  return { project_id: namespace.owner, visibility: namespace.visibility };
}

/** Whether the caller passes a rule on the namespace (Glance's `check`, used to filter listings). */
export function mayOnNamespace(deps: ImageRouteDeps, request: FastifyRequest, action: string, namespace: NamespaceRef): boolean {
  return deps.policy.check(action, namespaceTarget(namespace), deps.credentialsOf(request));
}

/**
 * Enforces a rule on a namespace as Glance's MetadefAPIPolicy does: refused by a caller who may
 * not even read the namespace, it is 404, so the namespace's existence does not leak.
 */
export function authorizeOnNamespace(deps: ImageRouteDeps, request: FastifyRequest, action: string, namespace: NamespaceRef): void {
  if (mayOnNamespace(deps, request, action, namespace)) return;
  if (action === 'get_metadef_namespace' || !mayOnNamespace(deps, request, 'get_metadef_namespace', namespace)) {
    throw new NotFound(`Metadata definition namespace=${namespace.namespace} was not found.`);
  }
  throw forbidden(action);
}

/** The namespace a path names: visible to the caller (else 404) and passing `action`. */
export async function namespaceFor(deps: ImageRouteDeps, request: FastifyRequest, name: string, action: string): Promise<NamespaceRef> {
  const namespace = await deps.images.metadefs.namespace(request.requestContext, name);
  authorizeOnNamespace(deps, request, action, namespace);
  return namespace;
}
