import { loadConfig } from '../../common/config/load.js';
import { getLogger } from '../../common/logging/logger.js';
import { parseArgs, UsageError } from '../args.js';
import { flagsToOptions, SERVE_FLAGS } from '../common-flags.js';
import { API_SERVICE_NAMES, isApiServiceName, type ApiServiceName } from '../presets/api-services.js';
import { startCloudNode } from '../runtime/cloud-node.js';
import { setUpLogging } from '../runtime/logging-setup.js';
import { catchStopSignals } from '../runtime/stop-signals.js';

const LOG = getLogger('nimbus.cli.serve');

/** `nimbus serve SERVICE...`: only the named services, on the configured database and bus. */
export async function serveCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, SERVE_FLAGS);
  if (args.positionals.length === 0) throw new UsageError(`serve needs at least one of: ${API_SERVICE_NAMES.join(' ')}`);
  const services: ApiServiceName[] = [];
  for (const name of args.positionals) {
    if (!isApiServiceName(name)) throw new UsageError(`unknown service "${name}" (known: ${API_SERVICE_NAMES.join(' ')})`);
    if (!services.includes(name)) services.push(name);
  }
  const config = loadConfig({ file: args.flags.get('config'), flags: flagsToOptions(args) });
  setUpLogging(config);
  const signals = catchStopSignals({ gracefulShutdownTimeoutSeconds: config.DEFAULT.graceful_shutdown_timeout });
  // Compute agents run where `nimbus compute-agent` runs; this node only schedules and conducts.
  const node = await startCloudNode(config, { command: 'serve', services, migrate: false, computeHosts: [] });
  const stopped = signals.stopOn(node);
  LOG.info(`Serving ${services.join(', ')} at ${node.url}`);
  await stopped;
}
