import { join } from 'node:path';
import type { NimbusConfig } from '../common/config/options.js';
import type { Database } from '../common/db/database.js';
import { Authenticator } from './auth/authenticate.js';
import { revokingEvents } from './auth/revoking-events.js';
import { LocalTokenValidator } from './auth/token-validator.js';
import { ScryptPasswordHasher } from './passwords/password-hasher.js';
import { passwordRules } from './passwords/password-rules.js';
import { createIdentityManagers, type IdentityManagers } from './resources/index.js';
import { DbRevocationStore } from './tokens/db/db-revocation-store.js';
import { FernetKeyRepository } from './tokens/key-repository.js';
import { RevocationList } from './tokens/revocation.js';
import { TokenProvider } from './tokens/token-provider.js';

/**
 * What every node needs of identity, whether or not it serves the identity API: the resource
 * managers, the Fernet key repository, the token provider with its revocation list, and the
 * validator the auth middleware of every service uses. Tokens validate locally wherever the
 * database and the key repository (`<state_dir>/fernet-keys`) are shared.
 */
export interface IdentityCore {
  readonly managers: IdentityManagers;
  readonly keys: FernetKeyRepository;
  readonly tokens: TokenProvider;
  readonly validator: LocalTokenValidator;
  readonly authenticator: Authenticator;
  close(): Promise<void>;
}

/** The Fernet key repository of a state dir (keystone-manage's /etc/keystone/fernet-keys). */
export function fernetKeyRepository(config: NimbusConfig): FernetKeyRepository {
  return new FernetKeyRepository(join(config.DEFAULT.state_dir, 'fernet-keys'));
}

export async function startIdentityCore(database: Database, config: NimbusConfig): Promise<IdentityCore> {
  const keys = fernetKeyRepository(config);
  await keys.setup();
  const stopWatching = keys.watch();
  const revocations = new RevocationList(new DbRevocationStore(database), {
    maxTokenLifetimeSeconds: config.identity.token_expiration,
  });
  await revocations.start();
  const tokens = new TokenProvider({ keys, revocations, lifetimeSeconds: config.identity.token_expiration });
  const hasher = new ScryptPasswordHasher();
  const lockout = config.identity.lockout_failure_attempts > 0
    ? { failureAttempts: config.identity.lockout_failure_attempts, durationSeconds: config.identity.lockout_duration }
    : undefined;
  // The events need the managers (group members) and the managers need the events: the
  // closure reads `managers` only when an event fires, after it is built.
  const events = revokingEvents(tokens, () => managers.groups);
  const rules = passwordRules({
    ...(config.identity.password_regex === '' ? {} : { regex: config.identity.password_regex }),
    ...(config.identity.password_regex_description === '' ? {} : { regexDescription: config.identity.password_regex_description }),
  });
  const managers: IdentityManagers = createIdentityManagers(database, {
    passwords: { hasher, rules, ...(lockout === undefined ? {} : { lockout }) },
    events,
    catalogCacheSeconds: config.catalog.cache_time,
  });
  return {
    managers,
    keys,
    tokens,
    validator: new LocalTokenValidator(managers, tokens),
    authenticator: new Authenticator(managers, tokens, hasher),
    close: async () => {
      stopWatching();
      await revocations.stop();
    },
  };
}
