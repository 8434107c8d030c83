/**
 * Casts about an instance that their receiver has not taken yet, kept by instance until the
 * database shows it did. RabbitMQ confirms a cast once it is queued; with the default queues
 * (`[bus] amqp_durable_queues` off, as oslo.messaging's) a broker that dies takes the casts still
 * queued with it, and those servers would stay in BUILD (`instance_build_timeout` is 0 by default)
 * or in the task state of an action for ever. So the sender keeps each cast until it is taken,
 * and when its own connection to the bus is back after a loss, casts the ones still waiting again.
 * Three senders do: the compute API to the conductors (accepted-builds.ts) and to the hosts
 * (accepted-actions.ts), and a conductor to the hosts (placed-builds.ts); each receiver acts only
 * from the state the sender left (a compare-and-set, or a check under the instance's lock), so a
 * cast that was not lost after all still acts once.
 */
import type { Transport } from '../../common/bus/index.js';
import { currentContext, newAdminContext, runWithContext, type RequestContext } from '../../common/context/request-context.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import { PeriodicTasks } from '../agent/periodic-tasks.js';
import type { InstanceStore } from '../db/instance-store.js';
import type { AgentInstance } from './rpc-api.js';

const LOG = getLogger('nimbus.compute.conductor');

/** What the database shows of an instance: enough to tell whether a cast was taken. */
export type InstanceCastState = Pick<AgentInstance, 'vmState' | 'taskState' | 'host'>;

export interface CastsInTransitOptions<T> {
  readonly instances: Pick<InstanceStore, 'statesOf'>;
  /** Whether the instance (undefined: deleted) still waits for `cast` to be taken. */
  readonly waitsFor: (state: InstanceCastState | undefined, cast: T) => boolean;
  /** What a cast is and where it goes, for the log ("build to h1", "stop_instance to h1"). */
  readonly describe: (cast: T) => string;
  /** Sends the cast again. */
  readonly send: (instanceUuid: string, cast: T) => Promise<void>;
}

interface Sent<T> {
  readonly cast: T;
  /** The request the cast belongs to: sent again, it logs under its id. */
  readonly context: RequestContext | undefined;
}

export class CastsInTransit<T> {
  /** By instance: the last cast about it. */
  readonly #casts = new Map<string, Sent<T>>();

  constructor(private readonly options: CastsInTransitOptions<T>) {}

  /** Called in the request that cast it. */
  remember(instanceUuid: string, cast: T): void {
    this.#casts.set(instanceUuid, { cast, context: currentContext() });
  }

  /**
   * Forgets the casts taken every `intervalMs`, and sends again those still waiting whenever
   * `transport` is back after a loss; answers how to stop both.
   */
  watch(transport: Pick<Transport, 'onReconnected'>, intervalMs: number): () => Promise<void> {
    const periodic = new PeriodicTasks();
    periodic.every('forget_casts_taken', intervalMs, async () => {
      await this.forgetTaken();
    });
    const stopSending = transport.onReconnected(() => void this.castAgain());
    return async () => {
      stopSending();
      await periodic.stop();
    };
  }

  /**
   * Forgets the casts taken (or whose instance moved on otherwise); answers the others. One query
   * for all of them: it runs every report interval.
   */
  async forgetTaken(): Promise<[string, T][]> {
    return (await this.#forgetTaken()).map(([uuid, { cast }]) => [uuid, cast]);
  }

  /**
   * The connection to the bus is back after a loss: each cast still waiting goes again, in its
   * request's context; how many. Never rejects: what fails is logged (and kept for the next time).
   */
  async castAgain(): Promise<number> {
    let waiting: [string, Sent<T>][];
    try {
      waiting = await this.#forgetTaken();
    } catch (error) {
      LOG.warning(`Could not look for the casts to send again: ${messageOf(error)}`);
      return 0;
    }
    let sent = 0;
    for (const [uuid, { cast, context }] of waiting) {
      const what = this.options.describe(cast);
      await runWithContext(context ?? newAdminContext(), async () => {
        LOG.warning(`Casting ${what} again: the connection to the message bus was lost, and with it the cast if it was still queued`, { instance: uuid });
        try {
          await this.options.send(uuid, cast);
          sent += 1;
        } catch (error) {
          LOG.warning(`Could not cast ${what} again: ${messageOf(error)}`, { instance: uuid });
        }
      });
    }
    return sent;
  }

  async #forgetTaken(): Promise<[string, Sent<T>][]> {
    const casts = [...this.#casts];
    const states = await this.options.instances.statesOf(casts.map(([uuid]) => uuid));
    const waiting: [string, Sent<T>][] = [];
    for (const [uuid, sent] of casts) {
      if (this.options.waitsFor(states.get(uuid), sent.cast)) waiting.push([uuid, sent]);
      // Only if no newer cast (a reschedule's, to another host) was sent meanwhile.
      else if (this.#casts.get(uuid) === sent) this.#casts.delete(uuid);
    }
    return waiting;
  }
}
