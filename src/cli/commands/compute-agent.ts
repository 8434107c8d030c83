import { mkdirSync } from 'node:fs';
import { loadConfig } from '../../common/config/load.js';
import type { NimbusConfig } from '../../common/config/options.js';
import { StartupError } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import { GlanceImageSource } from '../../compute/agent/glance-image-source.js';
import { startComputeAgents } from '../../compute/workers.js';
import type { ServiceUserSession } from '../../identity/client/service-user-session.js';
import { NeutronClient } from '../../compute/network/neutron-client.js';
import { configuredServiceUser } from '../runtime/service-credentials.js';
import { parseArgs, UsageError } from '../args.js';
import { COMPUTE_AGENT_FLAGS, flagsToOptions } from '../common-flags.js';
import { computeVolumeApiOf } from '../presets/compute-volumes.js';
import { computeDriverFactory, computeDriverOf } from '../presets/drivers.js';
import { openTransport } from '../presets/transports.js';
import { setUpLogging } from '../runtime/logging-setup.js';
import { catchStopSignals } from '../runtime/stop-signals.js';

const LOG = getLogger('nimbus.cli.compute_agent');

/** Most agents one process runs (`[compute] agents` has the same bound). */
const MAX_HOSTS = 10_000;

/**
 * `--hosts N` → compute-1 … compute-N (with `--host NAME`: NAME-1 … NAME-N, so agent processes
 * side by side name their hosts apart); otherwise one agent named `[DEFAULT] host` (`--host NAME`).
 */
function hostNames(hostsFlag: string | undefined, hostFlag: string | undefined, host: string): string[] {
  if (hostsFlag === undefined) return [host];
  const count = Number(hostsFlag);
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) throw new UsageError(`--hosts must be an integer from 1 to ${MAX_HOSTS}, got "${hostsFlag}"`);
  return Array.from({ length: count }, (_, index) => `${hostFlag ?? 'compute'}-${index + 1}`);
}

/** The image API client of `[glance]` and `[service_user]` (none configured: a start-up error that says what to set). */
function imageSource(config: NimbusConfig, serviceUser: ServiceUserSession | undefined): GlanceImageSource {
  return new GlanceImageSource({ endpointOverride: config.glance.endpoint_override, ...(serviceUser === undefined ? {} : { serviceUser }) });
}

/** The network API client of `[neutron]` and `[service_user]`; neither configured: the agents give guests no NICs. */
function networkClient(config: NimbusConfig, serviceUser: ServiceUserSession | undefined): NeutronClient | undefined {
  if (config.neutron.endpoint_override === '' && serviceUser === undefined) return undefined;
  return new NeutronClient({ endpointOverride: config.neutron.endpoint_override, defaultFloatingPool: config.neutron.default_floating_pool, ...(serviceUser === undefined ? {} : { serviceUser }) });
}

/**
 * `nimbus compute-agent`: compute agents only (nova-compute), joining the conductor and scheduler
 * of a cloud on a shared bus. The agents hold no database credentials: they report through the
 * conductor, and reach images through the image API over HTTP, as Nova's agents reach Glance.
 */
export async function computeAgentCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, COMPUTE_AGENT_FLAGS);
  if (args.positionals.length > 0) throw new UsageError(`compute-agent takes no arguments, got "${args.positionals.join(' ')}"`);
  const config = loadConfig({ file: args.flags.get('config'), flags: flagsToOptions(args) });
  const hosts = hostNames(args.flags.get('hosts'), args.flags.get('host'), config.DEFAULT.host);
  setUpLogging(config);
  const signals = catchStopSignals({ gracefulShutdownTimeoutSeconds: config.DEFAULT.graceful_shutdown_timeout });
  if (config.bus.transport_url.startsWith('inproc:')) {
    throw new StartupError('compute-agent joins a cloud over a shared bus: set [bus] transport_url to rabbit://… (it is inproc://)');
  }
  const driver = computeDriverOf(config);
  const serviceUser = configuredServiceUser(config);
  const images = imageSource(config, serviceUser);
  const network = networkClient(config, serviceUser);
  const volumes = computeVolumeApiOf(config, undefined, serviceUser);
  mkdirSync(config.DEFAULT.state_dir, { recursive: true, mode: 0o700 });

  const transport = openTransport(config.bus.transport_url, { command: 'compute-agent', host: config.DEFAULT.host }, { durableQueues: config.bus.amqp_durable_queues });
  await transport.connect();
  const timeout = config.bus.rpc_response_timeout;
  const agents = await startComputeAgents({
    transport,
    images,
    ...(volumes === undefined ? {} : { volumes }),
    drivers: await computeDriverFactory(driver, { stateDir: config.DEFAULT.state_dir, instancesPath: config.compute.instances_path, migrationAddress: config.compute.live_migration_inbound_addr, images }),
    hosts,
    stateDir: config.DEFAULT.state_dir,
    rpcTimeoutSeconds: timeout,
    reportIntervalMs: config.DEFAULT.report_interval * 1000,
    shelvedOffloadTimeSeconds: config.DEFAULT.shelved_offload_time,
    shelvedPollIntervalMs: config.DEFAULT.shelved_poll_interval * 1000,
    resizeConfirmWindowSeconds: config.DEFAULT.resize_confirm_window,
    reclaimInstanceIntervalSeconds: config.DEFAULT.reclaim_instance_interval,
    forceConfigDrive: config.DEFAULT.force_config_drive,
    ...(network === undefined ? {} : { network }),
    vifPluggingTimeoutSeconds: config.DEFAULT.vif_plugging_timeout,
    vifPluggingIsFatal: config.DEFAULT.vif_plugging_is_fatal,
  }).catch(async (error: unknown) => {
    await transport.close();
    throw error;
  });
  const stopped = signals.stopOn({
    async stop() {
      await agents.stop();
      await transport.close();
    },
  });
  LOG.info(`Compute agents running for ${hosts.length === 1 ? `host ${hosts[0]}` : `hosts ${hosts[0]} … ${hosts.at(-1)}`}, driver ${driver}`);
  await stopped;
}
