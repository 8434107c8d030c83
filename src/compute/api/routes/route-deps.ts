import type { FastifyRequest } from 'fastify';
import { Forbidden } from '../../../common/errors/errors.js';
import type { Credentials, PolicyEnforcer, PolicyTarget } from '../../../common/policy/policy.js';
import type { FlavorViewer } from '../../flavors/flavor.js';
import type { FlavorStore } from '../../db/flavor-store.js';
import type { KeyPairManager } from '../../keypairs/keypair-manager.js';
import type { QuotaManager } from '../../quotas/quota-manager.js';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import type { ServersService } from '../../servers/servers-service.js';
import type { ImageService } from '../../../image/index.js';
import type { ProjectExists } from './project-check.js';
import type { ConsoleAuth } from '../../console/console-auth.js';
import type { RequestTrace } from '../../timeline/request-trace.js';
import type { RequestStepStore } from '../../db/request-step-store.js';
import type { FaultInjections } from '../../faults/fault-injections.js';

/** The image service as the image proxy uses it: under the caller's context, so visibility is theirs. */
export type ProxiedImages = Pick<ImageService, 'get' | 'list' | 'update' | 'delete'>;

/** What the compute routes need from the composition root. */
export interface ComputeRouteDeps {
  readonly flavors: FlavorStore;
  readonly keypairs: KeyPairManager;
  readonly quotas: QuotaManager;
  /** Servers and their actions (absent: the servers API is not served). */
  readonly servers?: ServersService;
  /** Console tokens (absent: remote consoles and os-console-auth-tokens are not served). */
  readonly consoleAuth?: ConsoleAuth;
  /** The request timeline's trace and this API node's host (absent: requests are not traced, the timeline not served). */
  readonly requestTrace?: { readonly trace: RequestTrace; readonly steps: RequestStepStore; readonly host: string };
  /** os-services, os-hypervisors, zones, aggregates, server groups (absent: not served). */
  readonly admin?: ComputeAdmin;
  /** Failure injection for testers, /v2.1/nimbus/faults (absent: not served). */
  readonly faults?: FaultInjections;
  /** The image proxy's Glance (absent: /v2.1/images is not served). */
  readonly images?: ProxiedImages;
  /** Whether identity knows a project (quota sets and flavor access check it, as Nova does). */
  readonly projectExists: ProjectExists;
  readonly policy: PolicyEnforcer;
  /** The caller as policy sees them (set by the auth middleware before any route runs). */
  readonly credentialsOf: (request: FastifyRequest) => Credentials;
  /** Base URL clients reach the listener at (no trailing slash); links are `<publicUrl>/compute/v2.1/…`. */
  readonly publicUrl: string;
}

/** Enforces a Nova policy rule; refused, it is 403 in Nova's words. */
export function authorize(deps: ComputeRouteDeps, request: FastifyRequest, action: string, target: PolicyTarget): void {
  if (!deps.policy.check(action, target, deps.credentialsOf(request))) {
    throw new Forbidden(`Policy doesn't allow ${action} to be performed.`);
  }
}

/** Nova's default target: the caller's own project and user. */
export function ownTarget(request: FastifyRequest): PolicyTarget {
  return { project_id: request.requestContext.projectId, user_id: request.requestContext.userId };
}

export function viewerOf(request: FastifyRequest): FlavorViewer {
  const { projectId, isAdmin } = request.requestContext;
  return { ...(projectId === undefined ? {} : { projectId }), isAdmin: isAdmin ?? false };
}

/** The caller's user id; every authenticated request has one. */
export function userIdOf(request: FastifyRequest): string {
  return request.requestContext.userId ?? '';
}

/** The caller's project id (project-scoped tokens; '' for others, which own nothing). */
export function projectIdOf(request: FastifyRequest): string {
  return request.requestContext.projectId ?? '';
}
