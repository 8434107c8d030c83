/**
 * The agent's periodic tasks (Nova's @periodic_task): each runs every interval under a context of
 * its own, skips a tick while its previous run is still going, and logs a failure once until it
 * recovers. Timers do not keep the process alive.
 */
import { newAdminContext, runWithContext } from '../../common/context/request-context.js';
import { getLogger } from '../../common/logging/logger.js';

const LOG = getLogger('nimbus.compute.manager');

export class PeriodicTasks {
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #running = new Set<Promise<void>>();

  every(name: string, intervalMs: number, task: () => Promise<void>): void {
    if (intervalMs <= 0) return;
    let inFlight = false;
    let failing = false;
    const timer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      const run = runWithContext(newAdminContext(), task).then(
        () => {
          if (failing) LOG.info(`Periodic task ${name} works again`);
          failing = false;
        },
        (error: unknown) => {
          if (!failing) LOG.warning(`Periodic task ${name} failed`, { error });
          failing = true;
        },
      );
      this.#running.add(run);
      void run.finally(() => {
        inFlight = false;
        this.#running.delete(run);
      });
    }, intervalMs);
    timer.unref();
    this.#timers.push(timer);
  }

  /** Stops the timers and waits for the runs in progress. */
  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.length = 0;
    await Promise.all(this.#running);
  }
}
