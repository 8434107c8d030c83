import { getLogger } from '../../common/logging/logger.js';

const LOG = getLogger('nimbus.cli');

/** Signals this close together are one request to stop: a wrapper forwarding the terminal's Ctrl-C, `timeout` signalling its child and then its group. */
const SAME_REQUEST_MS = 1000;
/** The request that gives up the clean-up and exits at once (OpenStack's services give up on a third Ctrl-C too). */
const ABANDONING_REQUEST = 3;

/** What runs until a signal: a cloud node, or a process of compute agents. */
export interface Stoppable {
  stop(): Promise<void>;
}

export interface StopSignals {
  /** Stops `node` at the first request (at once if one came while it started); resolves once it stopped. */
  stopOn(node: Stoppable): Promise<void>;
}

export interface StopSignalOptions {
  /** `[DEFAULT] graceful_shutdown_timeout`: how long a stop may take before the process exits anyway (0: for ever). */
  readonly gracefulShutdownTimeoutSeconds: number;
}

/**
 * Catches SIGINT and SIGTERM from the start of a command, so that a signal while the node starts
 * stops it once started rather than ending the process with half of it wired. The node then stops
 * cleanly (requests drained, the all-in-one's network data path removed, bus and database closed),
 * and further requests while it does only say so: the second request's warning tells that a third
 * one exits without finishing, for a stop that hangs. A stop still running after the graceful
 * shutdown timeout ends the process too, as oslo.service does.
 */
export function catchStopSignals({ gracefulShutdownTimeoutSeconds }: StopSignalOptions): StopSignals {
  let requests = 0;
  let lastSignalAt = Number.NEGATIVE_INFINITY;
  let node: Stoppable | undefined;
  let stopped = false;
  let requested: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => {
    requested = resolve;
  });

  const onSignal = (signal: NodeJS.Signals) => {
    const now = performance.now();
    const sameRequest = now - lastSignalAt < SAME_REQUEST_MS;
    lastSignalAt = now;
    if (stopped) {
      LOG.info(`Caught ${signal}, already stopped`);
      return;
    }
    if (sameRequest) {
      LOG.debug(`Caught ${signal} again: the same request to stop`);
      return;
    }
    requests += 1;
    if (requests === 1) {
      LOG.info(node === undefined ? `Caught ${signal}, stopping once started` : `Caught ${signal}, stopping`);
      requested();
    } else if (requests < ABANDONING_REQUEST) {
      LOG.warning(`Caught ${signal} while stopping: clean-up is in progress; signal again to exit without finishing it`);
    } else {
      LOG.warning(`Caught ${signal} again, exiting without finishing the clean-up: the next start on this state dir takes over what is left`);
      process.exit(1);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  return {
    async stopOn(running) {
      node = running;
      await stopRequested;
      const giveUp =
        gracefulShutdownTimeoutSeconds > 0
          ? setTimeout(() => {
              LOG.error(`Graceful shutdown timeout (${gracefulShutdownTimeoutSeconds} s) exceeded, exiting without finishing the clean-up: the next start on this state dir takes over what is left`);
              process.exit(1);
            }, gracefulShutdownTimeoutSeconds * 1000)
          : undefined;
      try {
        await running.stop();
        LOG.info('Stopped');
      } finally {
        clearTimeout(giveUp);
        stopped = true;
      }
    },
  };
}
