import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Passwords generated on the first start of a state dir and kept there (mode 0600). */
export interface BootstrapSecrets {
  readonly adminPassword: string;
  readonly demoPassword: string;
}

function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Reads the state dir's bootstrap passwords, creating them on first use. */
export function loadOrCreateBootstrapSecrets(stateDir: string): BootstrapSecrets {
  const path = join(stateDir, 'bootstrap-secrets.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as BootstrapSecrets;
  const secrets: BootstrapSecrets = { adminPassword: newPassword(), demoPassword: newPassword() };
  writeFileSync(path, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return secrets;
}

/**
 * `[neutron] metadata_proxy_shared_secret`, or when it is empty one generated on the first start
 * of the state dir and kept there (0600): the metadata agent and Nova's metadata API of a one-host
 * cloud read the same file.
 */
export function metadataProxySecret(configured: string, stateDir: string): string {
  if (configured !== '') return configured;
  const path = join(stateDir, 'metadata-proxy-secret');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(32).toString('hex');
  writeFileSync(path, secret + '\n', { mode: 0o600 });
  return secret;
}
