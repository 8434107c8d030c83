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
