/**
 * The heartbeats of the hosts of one agent process, sent to the conductor together: one call in
 * flight at a time, carrying every beat that came while the previous one was on its way. One host
 * sends its beat at once, as before; 10,000 hosts beating every 10 s send a few calls a second
 * instead of 1,000, each counted by the conductor in one statement.
 */
import type { ServiceHeartbeatArgs, ServiceHeartbeatsArgs } from '../conductor/rpc-api.js';

interface Waiting {
  readonly service: ServiceHeartbeatArgs;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class HeartbeatBatch {
  #waiting: Waiting[] = [];
  #sending = false;

  constructor(private readonly send: (args: ServiceHeartbeatsArgs) => Promise<void>) {}

  /** Resolves once the conductor has counted this beat (rejects with the call's error). */
  beat(service: ServiceHeartbeatArgs): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ service, resolve, reject });
      // The beats of this turn of the event loop go together (many hosts' periodic beats fall due at once).
      if (!this.#sending) {
        this.#sending = true;
        setImmediate(() => void this.#sendWaiting());
      }
    });
  }

  async #sendWaiting(): Promise<void> {
    while (this.#waiting.length > 0) {
      const batch = this.#waiting;
      this.#waiting = [];
      try {
        await this.send({ services: batch.map((waiting) => waiting.service) });
        for (const waiting of batch) waiting.resolve();
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    this.#sending = false;
  }
}
