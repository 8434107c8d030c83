/**
 * Builds cast over the bus that their receiver has not taken yet, kept by instance until the
 * database shows it did. RabbitMQ confirms a cast once it is queued; with the default queues
 * (`[bus] amqp_durable_queues` off, as oslo.messaging's) a broker that dies takes the casts still
 * queued with it, and those servers would stay in BUILD (`instance_build_timeout` is 0 by default).
 * So the sender keeps each build until it is taken, and when its own connection to the bus is back
 * after a loss, casts the ones still waiting again. Two senders do: the compute API to the
 * conductors (accepted-builds.ts) and a conductor to the hosts (placed-builds.ts); each receiver
 * takes a build only by a compare-and-set from the state the sender left, so a cast that was not
 * lost after all still starts the build once.
 */
import { currentContext, newAdminContext, runWithContext, type RequestContext } from '../../common/context/request-context.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { InstanceStore } from '../db/instance-store.js';
import type { AgentInstance } from './rpc-api.js';

const LOG = getLogger('nimbus.compute.conductor');

/** What the database shows of an instance: enough to tell whether a build was taken. */
export type InstanceBuildState = Pick<AgentInstance, 'vmState' | 'taskState' | 'host'>;

export interface BuildsInTransitOptions<T> {
  readonly instances: Pick<InstanceStore, 'statesOf'>;
  /** Whether the instance (undefined: deleted) still waits for `cast` to be taken. */
  readonly waitsFor: (state: InstanceBuildState | undefined, cast: T) => boolean;
  /** Where a cast goes, for the log ("h1", "a conductor"). */
  readonly receiverOf: (cast: T) => string;
}

interface Sent<T> {
  readonly cast: T;
  /** The request the build belongs to: a cast again logs under its id. */
  readonly context: RequestContext | undefined;
}

export class BuildsInTransit<T> {
  /** By instance: the last build cast for it. */
  readonly #casts = new Map<string, Sent<T>>();

  constructor(private readonly options: BuildsInTransitOptions<T>) {}

  /** Called in the request that cast it. */
  remember(instanceUuid: string, cast: T): void {
    this.#casts.set(instanceUuid, { cast, context: currentContext() });
  }

  /**
   * Forgets the builds taken (or that ended otherwise); answers the others. One query for all of
   * them: it runs every report interval, beside the builds.
   */
  async forgetTaken(): Promise<[string, T][]> {
    return (await this.#forgetTaken()).map(([uuid, { cast }]) => [uuid, cast]);
  }

  /**
   * The connection to the bus is back after a loss: each build still waiting goes again through
   * `send`, in its request's context; how many. Never rejects: what fails is logged.
   */
  async castAgain(send: (instanceUuid: string, cast: T) => Promise<void>): Promise<number> {
    let waiting: [string, Sent<T>][];
    try {
      waiting = await this.#forgetTaken();
    } catch (error) {
      LOG.warning(`Could not look for the builds to cast again: ${messageOf(error)}`);
      return 0;
    }
    let sent = 0;
    for (const [uuid, { cast, context }] of waiting) {
      const receiver = this.options.receiverOf(cast);
      await runWithContext(context ?? newAdminContext(), async () => {
        LOG.warning(`Casting build to ${receiver} again: the connection to the message bus was lost, and with it the cast if it was still queued`, { instance: uuid });
        try {
          await send(uuid, cast);
          sent += 1;
        } catch (error) {
          // Kept: the next reconnect casts it again.
          LOG.warning(`Could not cast the build to ${receiver} again: ${messageOf(error)}`, { instance: uuid });
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
      // Only if no newer build (a reschedule's, to another host) was cast meanwhile.
      else if (this.#casts.get(uuid) === sent) this.#casts.delete(uuid);
    }
    return waiting;
  }
}
