import { mkdirSync } from 'node:fs';
import { loadConfig } from '../../common/config/load.js';
import { StartupError } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import { parseArgs, UsageError } from '../args.js';
import { flagsToOptions, NETWORK_AGENT_FLAGS } from '../common-flags.js';
import { openTransport } from '../presets/transports.js';
import { setUpLogging } from '../runtime/logging-setup.js';
import { startNetworkAgent } from '../runtime/network-agent-node.js';
import { catchStopSignals } from '../runtime/stop-signals.js';

const LOG = getLogger('nimbus.cli.network_agent');

/**
 * `nimbus network-agent`: the network agent of one host (`[DEFAULT] host`, `--host NAME`) joining
 * a network server (`nimbus serve network`) on a shared bus. Like Neutron's agents it holds no
 * database credentials, and what it wired stays when it stops: guests keep their network while
 * it restarts, and its resync at start takes it over.
 */
export async function networkAgentCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, NETWORK_AGENT_FLAGS);
  if (args.positionals.length > 0) throw new UsageError(`network-agent takes no arguments, got "${args.positionals.join(' ')}"`);
  const config = loadConfig({ file: args.flags.get('config'), flags: flagsToOptions(args) });
  setUpLogging(config);
  const signals = catchStopSignals({ gracefulShutdownTimeoutSeconds: config.DEFAULT.graceful_shutdown_timeout });
  if (config.bus.transport_url.startsWith('inproc:')) {
    throw new StartupError('network-agent joins a cloud over a shared bus: set [bus] transport_url to rabbit://… (it is inproc://)');
  }
  mkdirSync(config.network.datapath_state_dir, { recursive: true, mode: 0o755 });
  const transport = openTransport(config.bus.transport_url, { command: 'network-agent', host: config.DEFAULT.host }, { durableQueues: config.bus.amqp_durable_queues });
  await transport.connect();
  const host = config.DEFAULT.host;
  const running = await startNetworkAgent(config, transport, [host], undefined).catch(async (error: unknown) => {
    await transport.close();
    throw error;
  });
  const stopped = signals.stopOn({
    async stop() {
      await running.stop({ teardown: false });
      await transport.close();
    },
  });
  LOG.info(`Network agent running for host ${host}`);
  await stopped;
}
