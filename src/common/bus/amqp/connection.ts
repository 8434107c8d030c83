import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { messageOf, StartupError } from '../../errors/errors.js';
import { getLogger } from '../../logging/logger.js';
import { MessageDeliveryFailure } from '../errors.js';
import type { AmqpEndpoint } from './url.js';

const LOG = getLogger('nimbus.common.bus');

/** How long opening a connection (TCP + AMQP handshake) may take before it counts as failed. */
const CONNECT_TIMEOUT_MS = 5000;
const RECONNECT_FIRST_DELAY_MS = 100;
const RECONNECT_MAX_DELAY_MS = 5000;

/**
 * One live connection and the channel everything runs on, in confirm mode (the broker acknowledges
 * each message it has taken); a reconnect makes a new one.
 */
export interface AmqpSession {
  readonly channel: ConfirmChannel;
  readonly model: ChannelModel;
}

export interface SessionHooks {
  /** Declares topology and consumers on a new session, before anyone else may use it. */
  readonly onOpen: (session: AmqpSession) => Promise<void>;
  /** The session died (broker restart, connection closed by an operator): fail what was in flight on it. */
  readonly onLost: () => void;
  /** A session lost before is back (onOpen ran on it). */
  readonly onReconnected: () => void;
}

export interface ConnectionOptions {
  /** Unacknowledged messages a consumer may hold: bounds the handlers a server runs at once. */
  readonly prefetch: number;
  /** Shown by `rabbitmqctl list_connections` and the management UI. */
  readonly connectionName: string;
}

interface SessionWaiter {
  readonly resolve: (session: AmqpSession | undefined) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Keeps one AMQP connection up: opens it, notices when it drops, reconnects with exponential
 * backoff and re-runs `onOpen` so exchanges, queues and consumers come back. Callers wait for a
 * session up to their own deadline.
 */
export class AmqpConnection {
  private session: AmqpSession | undefined;
  private opening: Promise<void> | undefined;
  private reconnecting = false;
  private closed = false;
  private readonly waiters = new Set<SessionWaiter>();
  private backoff: { timer: NodeJS.Timeout; wake: () => void } | undefined;

  constructor(
    private readonly endpoint: AmqpEndpoint,
    private readonly hooks: SessionHooks,
    private readonly options: ConnectionOptions,
  ) {}

  get display(): string {
    return `RabbitMQ at ${this.endpoint.display}`;
  }

  /** The first connection. Rejects with a StartupError when the broker cannot be reached. */
  open(): Promise<void> {
    if (this.closed) return Promise.reject(new MessageDeliveryFailure(`Connection to ${this.display} is closed`));
    this.opening ??= this.establish().then(
      () => LOG.info(`Connected to ${this.display} as '${this.options.connectionName}'`),
      (error: unknown) => {
        this.opening = undefined;
        const failure = new StartupError(`Cannot connect to the message bus (${this.display}): ${messageOf(error)}`, {
          cause: error,
        });
        this.releaseWaiters((waiter) => waiter.reject(failure));
        throw failure;
      },
    );
    return this.opening;
  }

  /** The live session, if any, without waiting. */
  current(): AmqpSession | undefined {
    return this.session;
  }

  /**
   * The live session, waiting up to `timeoutMs` for a (re)connect; undefined when none came in time.
   * Rejects with MessageDeliveryFailure when the connection is closed or was never opened.
   */
  waitForSession(timeoutMs: number): Promise<AmqpSession | undefined> {
    if (this.session) return Promise.resolve(this.session);
    if (this.closed) return Promise.reject(new MessageDeliveryFailure(`Connection to ${this.display} is closed`));
    if (!this.opening) return Promise.reject(new MessageDeliveryFailure(`${this.display}: call connect() first`));
    return new Promise((resolve, reject) => {
      const waiter: SessionWaiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          resolve(undefined);
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** True once open() was called and until close(): a session exists or is being re-established. */
  isOpen(): boolean {
    return this.opening !== undefined && !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.backoff?.wake();
    this.releaseWaiters((waiter) => waiter.reject(new MessageDeliveryFailure(`Connection to ${this.display} is closed`)));
    const session = this.session;
    this.session = undefined;
    await session?.model.close().catch((error: unknown) => LOG.debug(`Closing ${this.display}: ${messageOf(error)}`));
  }

  /** Connects, opens the channel, runs onOpen, and only then publishes the session. */
  private async establish(): Promise<void> {
    // amqplib is loaded on the first connection: a node on the in-process bus never pays for it.
    const amqp = (await import('amqplib')).default;
    const model = await amqp.connect(this.endpoint.connect, {
      timeout: CONNECT_TIMEOUT_MS,
      noDelay: true,
      clientProperties: { connection_name: this.options.connectionName },
    });
    let dropped: string | undefined;
    let session: AmqpSession | undefined;
    // An 'error' event precedes an abnormal 'close'; without a listener it would crash the process.
    model.on('error', (error: unknown) => (dropped = messageOf(error)));
    model.on('close', () => {
      dropped ??= 'connection closed';
      if (session) this.lost(session, dropped);
    });
    try {
      const channel = await model.createConfirmChannel();
      channel.on('error', (error: unknown) => (dropped = `channel error: ${messageOf(error)}`));
      // A channel closed by a broker error takes the connection with it, so everything is rebuilt at once.
      channel.on('close', () => void model.close().catch(() => undefined));
      await channel.prefetch(this.options.prefetch);
      session = { channel, model };
      await this.hooks.onOpen(session);
      if (dropped !== undefined || this.closed) throw new Error(dropped ?? 'transport closed while connecting');
      this.session = session;
    } catch (error) {
      await model.close().catch(() => undefined);
      throw error;
    }
    this.releaseWaiters((waiter) => waiter.resolve(session));
  }

  private releaseWaiters(release: (waiter: SessionWaiter) => void): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      release(waiter);
    }
    this.waiters.clear();
  }

  private lost(session: AmqpSession, reason: string): void {
    if (this.session !== session) return;
    this.session = undefined;
    if (this.closed) return;
    LOG.warning(`Connection to ${this.display} lost (${reason}); calls in flight fail, reconnecting`);
    this.hooks.onLost();
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    for (let attempt = 1; !this.closed; attempt++) {
      await this.sleep(Math.min(RECONNECT_FIRST_DELAY_MS * 2 ** (attempt - 1), RECONNECT_MAX_DELAY_MS));
      if (this.closed) break;
      try {
        await this.establish();
        LOG.info(`Reconnected to ${this.display} after ${attempt} attempt(s)`);
        this.hooks.onReconnected();
        break;
      } catch (error) {
        LOG.debug(`Reconnect attempt ${attempt} to ${this.display} failed: ${messageOf(error)}`);
      }
    }
    this.reconnecting = false;
  }

  /** A backoff pause that close() cuts short, so closing never waits for a timer. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.backoff = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.backoff = { timer, wake };
    });
  }
}
