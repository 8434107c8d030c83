import { mkdirSync } from 'node:fs';
import { loadConfig } from '../../common/config/load.js';
import { getLogger } from '../../common/logging/logger.js';
import { parseArgs, UsageError } from '../args.js';
import { flagsToOptions, UP_FLAGS } from '../common-flags.js';
import { API_SERVICE_NAMES } from '../presets/api-services.js';
import { bootstrapCloud } from '../runtime/bootstrap-cloud.js';
import { startCloudNode } from '../runtime/cloud-node.js';
import { setUpLogging } from '../runtime/logging-setup.js';
import { catchStopSignals } from '../runtime/stop-signals.js';

const LOG = getLogger('nimbus.cli.up');

/** `nimbus up`: the all-in-one cloud in the foreground, on embedded defaults. */
export async function upCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, UP_FLAGS);
  if (args.positionals.length > 0) throw new UsageError(`up takes no arguments, got "${args.positionals.join(' ')}"`);
  const config = loadConfig({ file: args.flags.get('config'), flags: flagsToOptions(args) });
  setUpLogging(config);
  // From here on a signal stops the cloud cleanly, also one that comes while it starts.
  const signals = catchStopSignals({ gracefulShutdownTimeoutSeconds: config.DEFAULT.graceful_shutdown_timeout });

  const stateDir = config.DEFAULT.state_dir;
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const started = performance.now();
  const computeHosts = Array.from({ length: config.compute.agents }, (_, index) => `compute-${index + 1}`);
  // One network agent answers for the node's own host (the l3 host by default) and its compute hosts: they share this machine's kernel.
  const networkAgentHosts = [config.DEFAULT.host, ...computeHosts];
  const node = await startCloudNode(config, { command: 'up', services: API_SERVICE_NAMES, migrate: true, computeHosts, networkAgentHosts });

  const authUrl = `${node.url}/identity`;
  // The guest image's upload does not wait for the identities, nor they for it.
  const bootstrapped = Promise.all([
    bootstrapCloud(node.identity.managers, node.database, { stateDir, publicUrl: node.url, services: API_SERVICE_NAMES, ...(node.network === undefined ? {} : { network: node.network }) }),
    // Its modules (the guest image's builder) are loaded only for the QEMU driver that boots it.
    node.computeDriver === 'qemu' ? import('../runtime/tiny-image-upload.js').then(({ uploadTinyImageOnFirstRun }) => uploadTinyImageOnFirstRun(node.images, stateDir)) : undefined,
  ]);
  // A stop during the bootstrap waits for it to end rather than closing the database under it.
  const stopped = signals.stopOn({ stop: () => bootstrapped.then(() => node.stop(), () => node.stop()) });
  try {
    await bootstrapped;
  } catch (error) {
    // Nothing of the node stays behind a failed bootstrap either.
    await node.stop();
    throw error;
  }
  LOG.info(`Nimbus is up in ${Math.round(performance.now() - started)} ms, compute driver ${node.computeDriver ?? 'none'}`);
  process.stdout.write(
    `Nimbus all-in-one cloud is running.\n` +
      `  endpoint:    ${node.url}\n` +
      `  identity:    ${authUrl}\n` +
      `  dashboard:   ${node.url}/dashboard/\n` +
      `  credentials: source ${stateDir}/admin-openrc   (or OS_CLIENT_CONFIG_FILE=${stateDir}/clouds.yaml, --os-cloud nimbus-admin)\n` +
      `Press Ctrl-C to stop.\n`,
  );
  await stopped;
}
