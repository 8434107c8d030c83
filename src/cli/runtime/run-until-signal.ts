import { getLogger } from '../../common/logging/logger.js';

const LOG = getLogger('nimbus.cli');

/** What runs until a signal: a cloud node, or a process of compute agents. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Keeps a node running until SIGINT or SIGTERM, then stops it cleanly (requests drained, bus and
 * database closed). A second signal while stopping exits at once.
 */
export function runUntilSignal(node: Stoppable): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        LOG.warning(`Caught ${signal} again, exiting without waiting`);
        process.exit(1);
      }
      stopping = true;
      LOG.info(`Caught ${signal}, stopping`);
      node.stop().then(() => {
        LOG.info('Stopped');
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      }, reject);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
