/**
 * The token headers of a call compute makes to another service, as keystoneauth's session with
 * Nova's `[service_user] send_service_user_token`: for the request being served, the user's token
 * with the service user's beside it as X-Service-Token; for work no user asked for (and what
 * only an admin may do), the service user's token alone.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { Unauthorized } from '../../common/errors/errors.js';
import type { ServiceCredentials } from './service-user-session.js';

type ServiceTokenSource = Pick<ServiceCredentials, 'token'>;

export type AuthHeaders = Readonly<Record<string, string>>;

/** The service user's own token; without one configured, `api` cannot be called (a 401). */
export async function serviceAuthHeaders(serviceUser: ServiceTokenSource | undefined, api: string): Promise<AuthHeaders> {
  if (serviceUser === undefined) throw new Unauthorized(`No [service_user] is configured to call ${api}`);
  return { 'x-auth-token': await serviceUser.token() };
}

/** The headers of a call made for the request of `context`: its user's token, else the service user's. */
export async function requestAuthHeaders(context: RequestContext, serviceUser: ServiceTokenSource | undefined, api: string): Promise<AuthHeaders> {
  const userToken = context.authToken;
  if (userToken === undefined) return serviceAuthHeaders(serviceUser, api);
  if (serviceUser === undefined) return { 'x-auth-token': userToken };
  // The service token marks the call as made for the user, not by them: the access rules of an
  // application credential, which name the calls its user makes, are then not asked
  // (keystonemiddleware's validate_allowed_request), so compute can do what the user asked of it.
  return { 'x-auth-token': userToken, 'x-service-token': await serviceUser.token() };
}
