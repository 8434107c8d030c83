/**
 * The credentials compute uses to call other services for itself (Nova's [service_user] and
 * [neutron] auth): the configured service user, or in a node that serves identity itself without
 * one (the all-in-one), the bootstrap admin at this node's own identity API.
 */
import type { NimbusConfig } from '../../common/config/options.js';
import { ServiceUserSession, type ServiceCredentials } from '../../identity/client/service-user-session.js';
import { loadOrCreateBootstrapSecrets } from './bootstrap-secrets.js';

/** `[service_user]` as a session, or undefined when none is configured. */
export function configuredServiceUser(config: NimbusConfig): ServiceUserSession | undefined {
  const user = config.service_user;
  if (user.auth_url === '') return undefined;
  return new ServiceUserSession({
    authUrl: user.auth_url,
    username: user.username,
    password: user.password,
    projectName: user.project_name,
    userDomainName: user.user_domain_name,
    projectDomainName: user.project_domain_name,
  });
}

/**
 * `[service_user]`, else the bootstrap admin at `identityUrl()` (known only once the node
 * listens, so the session is made on first use).
 */
export function nodeServiceCredentials(config: NimbusConfig, identityUrl: () => string): ServiceCredentials {
  const configured = configuredServiceUser(config);
  if (configured !== undefined) return configured;
  let session: ServiceUserSession | undefined;
  const current = (): ServiceUserSession =>
    (session ??= new ServiceUserSession({
      authUrl: identityUrl(),
      username: 'admin',
      password: loadOrCreateBootstrapSecrets(config.DEFAULT.state_dir).adminPassword,
      projectName: 'admin',
      userDomainName: 'Default',
      projectDomainName: 'Default',
    }));
  return { token: () => current().token(), endpoint: (type) => current().endpoint(type) };
}
