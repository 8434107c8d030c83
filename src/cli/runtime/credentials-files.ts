import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BootstrapSecrets } from './bootstrap-secrets.js';

interface CloudUser {
  readonly cloud: string;
  readonly username: string;
  readonly project: string;
  readonly password: string;
}

function users(secrets: BootstrapSecrets): CloudUser[] {
  return [
    { cloud: 'nimbus-admin', username: 'admin', project: 'admin', password: secrets.adminPassword },
    { cloud: 'nimbus-demo', username: 'demo', project: 'demo', password: secrets.demoPassword },
  ];
}

/** Single-quoted for YAML and POSIX shells alike (passwords are base64url, but stay safe). */
function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

export function renderAdminOpenrc(authUrl: string, secrets: BootstrapSecrets): string {
  return [
    '# Nimbus admin credentials: source this file, then run `openstack ...`.',
    `export OS_AUTH_URL=${shellQuote(authUrl)}`,
    'export OS_USERNAME=admin',
    `export OS_PASSWORD=${shellQuote(secrets.adminPassword)}`,
    'export OS_PROJECT_NAME=admin',
    'export OS_USER_DOMAIN_NAME=Default',
    'export OS_PROJECT_DOMAIN_NAME=Default',
    'export OS_REGION_NAME=RegionOne',
    'export OS_INTERFACE=public',
    'export OS_IDENTITY_API_VERSION=3',
    '',
  ].join('\n');
}

export function renderCloudsYaml(authUrl: string, secrets: BootstrapSecrets): string {
  const lines = ['# Nimbus clouds: `openstack --os-cloud nimbus-admin ...` (or nimbus-demo).', 'clouds:'];
  for (const user of users(secrets)) {
    lines.push(
      `  ${user.cloud}:`,
      '    auth:',
      `      auth_url: ${quote(authUrl)}`,
      `      username: ${user.username}`,
      `      password: ${quote(user.password)}`,
      `      project_name: ${user.project}`,
      '      user_domain_name: Default',
      '      project_domain_name: Default',
      '    region_name: RegionOne',
      '    interface: public',
      '    identity_api_version: 3',
    );
  }
  return lines.join('\n') + '\n';
}

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600); // the mode above applies only when the file is created
}

/** Writes DIR/admin-openrc and DIR/clouds.yaml, readable by their owner only. */
export function writeCredentialsFiles(stateDir: string, authUrl: string, secrets: BootstrapSecrets): void {
  writePrivate(join(stateDir, 'admin-openrc'), renderAdminOpenrc(authUrl, secrets));
  writePrivate(join(stateDir, 'clouds.yaml'), renderCloudsYaml(authUrl, secrets));
}
