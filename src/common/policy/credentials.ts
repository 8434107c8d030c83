import type { RequestContext } from '../context/request-context.js';
import type { Credentials } from './policy.js';

/** What policy sees of the caller: the request context under oslo.policy's credential names. */
export function credentialsOf(context: RequestContext): Credentials {
  return {
    ...(context.userId === undefined ? {} : { user_id: context.userId }),
    ...(context.userDomainId === undefined ? {} : { user_domain_id: context.userDomainId }),
    ...(context.projectId === undefined ? {} : { project_id: context.projectId }),
    ...(context.projectDomainId === undefined ? {} : { project_domain_id: context.projectDomainId }),
    ...(context.domainId === undefined ? {} : { domain_id: context.domainId }),
    roles: context.roles ?? [],
    is_admin: context.isAdmin ?? false,
  };
}
