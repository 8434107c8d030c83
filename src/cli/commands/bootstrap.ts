import { mkdirSync } from 'node:fs';
import { loadConfig, publicUrl } from '../../common/config/load.js';
import { openDatabase } from '../presets/databases.js';
import { migrationStatus } from '../../common/db/migrator.js';
import { StartupError } from '../../common/errors/errors.js';
import { startIdentityCore } from '../../identity/identity-core.js';
import { parseArgs, UsageError } from '../args.js';
import { CONFIG_FLAGS, flagsToOptions } from '../common-flags.js';
import { API_SERVICE_NAMES } from '../presets/api-services.js';
import { MIGRATION_SETS } from '../presets/migration-sets.js';
import { bootstrapCloud } from '../runtime/bootstrap-cloud.js';
import { createNetworkPlugin } from '../../network/plugin/network-plugin.js';
import { setUpLogging } from '../runtime/logging-setup.js';

/**
 * `nimbus bootstrap`: what `up` does at its first start, for a scaled-out cloud whose services
 * run elsewhere: the identity personas, the catalog at [api] public_url, DevStack's networks (the
 * agents wire them when they resync), and the credentials files.
 */
export async function bootstrapCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, CONFIG_FLAGS);
  if (args.positionals.length > 0) throw new UsageError('bootstrap takes no arguments');
  const config = loadConfig({ file: args.flags.get('config'), flags: flagsToOptions(args) });
  setUpLogging(config);
  mkdirSync(config.DEFAULT.state_dir, { recursive: true, mode: 0o700 });
  const db = await openDatabase(config.database.connection);
  try {
    for (const set of MIGRATION_SETS) {
      if ((await migrationStatus(db, set)).pending.length > 0) throw new StartupError('Database schema is not current: run `nimbus db sync` first');
    }
    const identity = await startIdentityCore(db, config);
    try {
      await bootstrapCloud(identity.managers, db, { stateDir: config.DEFAULT.state_dir, publicUrl: publicUrl(config), services: API_SERVICE_NAMES, network: createNetworkPlugin(db, config.network) });
    } finally {
      await identity.close();
    }
    process.stdout.write(`Bootstrapped; credentials in ${config.DEFAULT.state_dir}/admin-openrc and clouds.yaml\n`);
  } finally {
    await db.close();
  }
}
