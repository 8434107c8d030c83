import { loadConfig } from '../../common/config/load.js';
import { openDatabase } from '../presets/databases.js';
import { migrateToLatest } from '../../common/db/migrator.js';
import { parseArgs, UsageError } from '../args.js';
import { CONFIG_FLAGS, flagsToOptions } from '../common-flags.js';
import { MIGRATION_SETS } from '../presets/migration-sets.js';
import { setUpLogging } from '../runtime/logging-setup.js';

/** `nimbus db sync`: applies every service's pending migrations. */
export async function dbCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, CONFIG_FLAGS);
  if (args.positionals.length !== 1 || args.positionals[0] !== 'sync') throw new UsageError('usage: nimbus db sync');
  const config = loadConfig({ file: args.flags.get('config'), flags: flagsToOptions(args) });
  setUpLogging(config);
  const db = await openDatabase(config.database.connection);
  try {
    for (const set of MIGRATION_SETS) {
      const applied = await migrateToLatest(db, set);
      process.stdout.write(`${set.name}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}\n`);
    }
  } finally {
    await db.close();
  }
}
