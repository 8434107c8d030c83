/**
 * How a `nimbus` command that talks to the cloud's APIs signs in: the OS_* variables of an
 * admin-openrc when OS_AUTH_URL is set (as the `openstack` client reads them), else the state
 * dir's bootstrap admin at the configured endpoint (what `nimbus up` wrote).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from '../../common/errors/errors.js';
import type { ServiceUserCredentials } from '../../identity/client/service-user-session.js';
import type { BootstrapSecrets } from './bootstrap-secrets.js';

export function adminCredentials(env: NodeJS.ProcessEnv, stateDir: string, publicUrl: string): ServiceUserCredentials {
  const authUrl = env['OS_AUTH_URL'];
  if (authUrl !== undefined && authUrl !== '') {
    return {
      authUrl,
      username: env['OS_USERNAME'] ?? 'admin',
      password: env['OS_PASSWORD'] ?? '',
      projectName: env['OS_PROJECT_NAME'] ?? 'admin',
      userDomainName: env['OS_USER_DOMAIN_NAME'] ?? 'Default',
      projectDomainName: env['OS_PROJECT_DOMAIN_NAME'] ?? 'Default',
    };
  }
  const path = join(stateDir, 'bootstrap-secrets.json');
  if (!existsSync(path)) throw new StartupError(`no credentials: set OS_AUTH_URL and the other OS_* variables (source admin-openrc), or run where ${path} is`);
  const secrets = JSON.parse(readFileSync(path, 'utf8')) as BootstrapSecrets;
  return {
    authUrl: `${publicUrl}/identity`,
    username: 'admin',
    password: secrets.adminPassword,
    projectName: 'admin',
    userDomainName: 'Default',
    projectDomainName: 'Default',
  };
}
