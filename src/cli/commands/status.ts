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
import { table } from '../text-table.js';
import { faultTable, type FaultView } from '../fault-table.js';
import { FaultInjectionStore, type FaultInjectionRow } from '../../compute/db/fault-injection-store.js';

/** Whether one service API answers its version document at the configured endpoint. */
async function probeApi(base: string, name: string): Promise<string> {
  try {
    const response = await fetch(`${base}/${name}/`, { signal: AbortSignal.timeout(2000) });
    return response.status < 400 ? 'answering' : `HTTP ${response.status}`;
  } catch {
    return 'not answering';
  }
}

/** A stored injection as the fault table prints it. */
function faultViewOfRow(row: FaultInjectionRow): FaultView {
  return { id: row.id, host: row.host, kind: row.kind, operation: row.operation, instance: row.instance_uuid, delay_ms: row.delay_ms, remaining: row.remaining, expires_at: row.expires_at };
}

/**
 * `nimbus status`: the database and its schema, the services registered with their heartbeat
 * state, the fault injections acting (/v2.1/nimbus/faults), and whether each API answers. Exit
 * code 1 when anything is down or behind (an injection alone is not).
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
    let computeCurrent = false;
    for (const set of MIGRATION_SETS) {
      const status = await migrationStatus(db, set);
      healthy &&= status.pending.length === 0;
      if (set.name === 'compute') computeCurrent = status.pending.length === 0;
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

    if (computeCurrent) {
      const faults = await new FaultInjectionStore(db).active(new Date());
      out.push('', faults.length === 0 ? 'no fault injections' : faultTable(faults.map(faultViewOfRow)));
    }
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
