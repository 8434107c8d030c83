import { loadConfig } from '../../common/config/load.js';
import { fernetKeyRepository } from '../../identity/identity-core.js';
import { parseArgs, UsageError } from '../args.js';
import { CONFIG_FLAGS, flagsToOptions } from '../common-flags.js';

/**
 * `nimbus fernet setup|rotate`: keystone-manage's fernet_setup and fernet_rotate on the state
 * dir's key repository. Running nodes pick up a rotation by themselves.
 */
export async function fernetCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, CONFIG_FLAGS);
  const [action, ...rest] = args.positionals;
  if ((action !== 'setup' && action !== 'rotate') || rest.length > 0) throw new UsageError('usage: nimbus fernet setup|rotate');
  const config = loadConfig({ file: args.flags.get('config'), flags: flagsToOptions(args) });
  const keys = fernetKeyRepository(config);
  await keys.setup();
  if (action === 'rotate') await keys.rotate(config.identity.max_active_keys);
  process.stdout.write(`${keys.directory}: ${keys.keys.decryptionKeys.length} keys, primary generation ${keys.keys.generation}\n`);
}
