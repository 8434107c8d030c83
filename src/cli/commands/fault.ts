import { loadConfig, publicUrl } from '../../common/config/load.js';
import { NimbusError, StartupError } from '../../common/errors/errors.js';
import { fetchService, remoteFault } from '../../common/http/remote-fault.js';
import { ServiceUserSession } from '../../identity/client/service-user-session.js';
import { parseArgs, UsageError, type FlagSpec } from '../args.js';
import { CONFIG_FLAGS, flagsToOptions } from '../common-flags.js';
import { adminCredentials } from '../runtime/admin-credentials.js';
import { faultTable, type FaultView } from '../fault-table.js';

const FAULT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...CONFIG_FLAGS,
  host: { takesValue: true },
  kind: { takesValue: true },
  operation: { takesValue: true },
  instance: { takesValue: true },
  count: { takesValue: true },
  duration: { takesValue: true },
  'delay-ms': { takesValue: true },
};

/** The compute API's /v2.1/nimbus/faults, as the admin. */
class FaultApi {
  constructor(private readonly session: ServiceUserSession) {}

  async request(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const url = `${(await this.session.endpoint('compute')).replace(/\/+$/, '')}/nimbus/faults${path}`;
    const what = `${method} ${url}`;
    const response = await fetchService(url, {
      method,
      headers: { 'x-auth-token': await this.session.token(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }, what);
    if (response.status >= 400) throw await remoteFault(response, what);
    return response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>);
  }

  async list(host?: string): Promise<FaultView[]> {
    return (await this.request('GET', host === undefined ? '' : `?host=${encodeURIComponent(host)}`))['faults'] as FaultView[];
  }
}

function integerFlag(flags: ReadonlyMap<string, string>, name: string): number | undefined {
  const value = flags.get(name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} takes a whole number, not "${value}"`);
  return Number(value);
}

/**
 * `nimbus fault inject|list|clear`: failure injection for testers through the compute API
 * (admin only). inject prints the injection; list the active ones; clear one by id, or all.
 */
export async function faultCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, FAULT_FLAGS);
  const [action, ...rest] = args.positionals;
  const config = loadConfig({ file: args.flags.get('config'), flags: flagsToOptions(args) });
  const api = new FaultApi(new ServiceUserSession(adminCredentials(process.env, config.DEFAULT.state_dir, publicUrl(config))));
  try {
    await run(api, action, rest, args.flags);
  } catch (error) {
    if (error instanceof NimbusError) throw new StartupError(`fault ${action ?? ''}: ${error.message}`);
    throw error;
  }
}

async function run(api: FaultApi, action: string | undefined, rest: readonly string[], flags: ReadonlyMap<string, string>): Promise<void> {
  if (action === 'inject') {
    if (rest.length > 0) throw new UsageError('fault inject takes no arguments, only options');
    const host = flags.get('host');
    const kind = flags.get('kind');
    if (host === undefined || kind === undefined) throw new UsageError('fault inject needs --host and --kind');
    const fault: Record<string, unknown> = { host, kind };
    const operation = flags.get('operation');
    const instance = flags.get('instance');
    if (operation !== undefined) fault['operation'] = operation;
    if (instance !== undefined) fault['instance'] = instance;
    for (const [flag, field] of [['count', 'count'], ['duration', 'duration_s'], ['delay-ms', 'delay_ms']] as const) {
      const value = integerFlag(flags, flag);
      if (value !== undefined) fault[field] = value;
    }
    const created = (await api.request('POST', '', { fault }))['fault'] as FaultView;
    process.stdout.write(`${faultTable([created])}\n`);
    return;
  }
  if (action === 'list') {
    if (rest.length > 0) throw new UsageError('fault list takes no arguments');
    const found = await api.list(flags.get('host'));
    process.stdout.write(found.length === 0 ? 'no active fault injections\n' : `${faultTable(found)}\n`);
    return;
  }
  if (action === 'clear') {
    if (rest.length > 1) throw new UsageError('fault clear takes at most one injection id');
    const ids = rest.length === 1 ? rest : (await api.list(flags.get('host'))).map((fault) => fault.id);
    for (const id of ids) {
      await api.request('DELETE', `/${encodeURIComponent(id)}`);
      process.stdout.write(`cleared ${id}\n`);
    }
    if (ids.length === 0) process.stdout.write('no active fault injections\n');
    return;
  }
  throw new UsageError(action === undefined ? 'fault needs inject, list or clear' : `unknown fault action "${action}"`);
}
