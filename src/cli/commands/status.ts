import { loadConfig, publicUrl } from '../../common/config/load.js';
import { openDatabase } from '../presets/databases.js';
import { maskPassword } from '../../common/db/database-url.js';
import { migrationStatus } from '../../common/db/migrator.js';
import { StartupError } from '../../common/errors/errors.js';
import { ServiceRegistry } from '../../common/service/service-registry.js';
import { parseArgs, UsageError } from '../args.js';
import { CONFIG_FLAGS, flagsToOptions } from '../common-flags.js';
import { API_SERVICE_NAMES } from '../presets/api-services.js';
import { MIGRATION_SETS } from '../presets/migration-sets.js';

/** Whether one service API answers its version document at the configured endpoint. */
async function probeApi(base: string, name: string): Promise<string> {
  try {
    const response = await fetch(`${base}/${name}/`, { signal: AbortSignal.timeout(2000) });
    return response.status < 400 ? 'answering' : `HTTP ${response.status}`;
  } catch {
    return 'not answering';
  }
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

/**
 * `nimbus status`: the database and its schema, the services registered with their heartbeat
 * state, and whether each API answers. Exit code 1 when anything is down or behind.
 */
export async function statusCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, CONFIG_FLAGS);
  if (args.positionals.length > 0) throw new UsageError('status takes no arguments');
  const config = loadConfig({ file: args.flags.get('config'), flags: flagsToOptions(args) });
  const out: string[] = [];
  let healthy = true;

  out.push(`database:  ${maskPassword(config.database.connection)}`, `bus:       ${maskPassword(config.bus.transport_url)}`);
  const db = await openDatabase(config.database.connection);
  try {
    const schema: string[][] = [['schema', 'applied', 'pending']];
    for (const set of MIGRATION_SETS) {
      const status = await migrationStatus(db, set);
      healthy &&= status.pending.length === 0;
      schema.push([set.name, String(status.applied.length), String(status.pending.length)]);
    }
    out.push('', table(schema));

    const services: string[][] = [['binary', 'host', 'state', 'status', 'last seen']];
    for (const record of await new ServiceRegistry(db, { serviceDownTimeSeconds: config.DEFAULT.service_down_time }).list()) {
      services.push([
        record.binary,
        record.host,
        record.up ? 'up' : 'down',
        record.disabled ? 'disabled' : 'enabled',
        record.lastSeenAt?.toISOString() ?? 'never',
      ]);
    }
    out.push('', services.length > 1 ? table(services) : 'no services registered');
  } finally {
    await db.close();
  }

  const base = publicUrl(config);
  const apis: string[][] = [['api', 'endpoint', 'state']];
  for (const name of API_SERVICE_NAMES) {
    const state = await probeApi(base, name);
    healthy &&= state === 'answering';
    apis.push([name, `${base}/${name}`, state]);
  }
  out.push('', table(apis), '');
  process.stdout.write(out.join('\n'));
  if (!healthy) throw new StartupError('not every part of the cloud is up (see above)');
}
