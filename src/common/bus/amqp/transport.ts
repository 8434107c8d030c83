import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { getLogger } from '../../logging/logger.js';
import { messageOf } from '../../errors/errors.js';
import { MessageDeliveryFailure, MessagingTimeout } from '../errors.js';
import { PendingCalls } from '../pending-calls.js';
import {
  describeTarget,
  type Envelope,
  type Listener,
  type MessageHandler,
  type Reply,
  type ServerTarget,
  type Target,
  type Transport,
} from '../transport.js';
import { decodeReply, encodeEnvelope } from '../wire.js';
import { AmqpConnection, type AmqpSession } from './connection.js';
import { AmqpListener } from './listener.js';
import {
  CONTROL_EXCHANGE,
  declareControlExchange,
  declareFanoutExchange,
  declareReplyQueue,
  fanoutExchange,
  type QueueOptions,
} from './topology.js';
import { parseAmqpUrl } from './url.js';

const LOG = getLogger('nimbus.common.bus');

const DEFAULT_PREFETCH = 64;
/** A cast whose connection died before the broker confirmed it is sent again after this pause. */
const RESEND_PAUSE_MS = 100;
/** The longest pause before a call RabbitMQ returned (no queue for its target yet) is sent again. */
const MAX_RESEND_PAUSE_MS = 1000;

export interface AmqpTransportOptions {
  /** Unacknowledged messages per consumer; default 64. */
  readonly prefetch?: number;
  /** Deletes idle topic and server queues after this long; default: keep them, as oslo.messaging does. */
  readonly queueExpiresMs?: number;
  /** The name RabbitMQ shows for the connection; default `nimbus:<hostname>:<pid>`. */
  readonly connectionName?: string;
}

/** Waits until a channel's write buffer drains, or the channel dies (then publishing fails loudly next time). */
function drained(channel: Channel): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      channel.off('drain', done);
      channel.off('close', done);
      resolve();
    };
    channel.on('drain', done);
    channel.on('close', done);
  });
}

async function publish(channel: Channel, exchange: string, routingKey: string, body: Buffer, options: Options.Publish): Promise<void> {
  if (!channel.publish(exchange, routingKey, body, { contentType: 'application/json', ...options })) await drained(channel);
}

/** Publishes and resolves once the broker has taken the message (it is in a queue, or had no queue to go to). */
function publishConfirmed(channel: ConfirmChannel, exchange: string, routingKey: string, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      channel.publish(exchange, routingKey, body, { contentType: 'application/json' }, (error: unknown) => {
        if (error === null || error === undefined) resolve();
        else reject(error instanceof Error ? error : new Error('RabbitMQ refused the message'));
      });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

function bodyOf(envelope: Envelope): Buffer {
  return Buffer.from(encodeEnvelope(envelope));
}

/** A call's message as published, kept while it waits so that a returned one can go again. */
interface OutboundCall {
  readonly routingKey: string;
  readonly body: Buffer;
  readonly deadline: number;
  readonly what: string;
  returns: number;
}

/** The bus on RabbitMQ over AMQP 0-9-1 (`rabbit://` or `amqp://`). */
export class AmqpTransport implements Transport {
  private readonly connection: AmqpConnection;
  private readonly pending = new PendingCalls();
  /** Calls published on the live connection: when it drops, no reply can come, so they fail at once. */
  private readonly inFlight = new Set<string>();
  /**
   * Calls are published `mandatory`: right after a broker restart a caller may be back before the
   * server's queue is declared again, and RabbitMQ would drop the message unseen (the caller then
   * waiting out its whole timeout, the work lost). Returned, it is sent again until its deadline.
   */
  private readonly outbound = new Map<string, OutboundCall>();
  private readonly listeners = new Set<AmqpListener>();
  private readonly replyQueue = `reply_${randomUUID()}`;
  private readonly queues: QueueOptions;
  /** Fanouts go on their own channel: publishing to an exchange that just vanished must not kill the main one. */
  private fanoutChannel: { readonly session: AmqpSession; readonly channel: Promise<Channel> } | undefined;

  constructor(url: string, options: AmqpTransportOptions = {}) {
    this.queues = { expiresMs: options.queueExpiresMs };
    this.connection = new AmqpConnection(
      parseAmqpUrl(url),
      { onOpen: (session) => this.onOpen(session), onLost: () => this.onLost() },
      {
        prefetch: options.prefetch ?? DEFAULT_PREFETCH,
        connectionName: options.connectionName ?? `nimbus:${hostname()}:${process.pid}`,
      },
    );
  }

  connect(): Promise<void> {
    return this.connection.open();
  }

  async listen(target: ServerTarget, handler: MessageHandler): Promise<Listener> {
    if (!this.connection.isOpen()) throw new MessageDeliveryFailure(`${this.connection.display}: call connect() first`);
    const listener = new AmqpListener({ ...target }, handler, this.queues);
    this.listeners.add(listener);
    const session = this.connection.current();
    try {
      if (session) await listener.attach(session);
    } catch (error) {
      // If the connection dropped meanwhile, the reconnect attaches it; otherwise the declaration itself failed.
      if (this.connection.current() === session) {
        this.listeners.delete(listener);
        throw error;
      }
    }
    return {
      stop: async () => {
        this.listeners.delete(listener);
        await listener.stop();
      },
    };
  }

  async call(target: Target, envelope: Envelope, timeoutMs: number): Promise<Reply> {
    const startedAt = Date.now();
    const body = bodyOf(envelope);
    const session = await this.connection.waitForSession(timeoutMs);
    if (!session) throw MessagingTimeout.notConnected(target, envelope.method, timeoutMs, this.connection.display);
    const id = randomUUID();
    const reply = this.pending.wait(id, { target, method: envelope.method, startedAt, timeoutMs });
    // Handled here so a timeout during a slow publish is not an unhandled rejection; awaited below.
    reply.catch(() => undefined);
    this.inFlight.add(id);
    const outbound: OutboundCall = { routingKey: describeTarget(target), body, deadline: startedAt + timeoutMs, what: `'${envelope.method}' to ${describeTarget(target)}`, returns: 0 };
    this.outbound.set(id, outbound);
    await this.publishCall(session, id, outbound);
    try {
      return await reply;
    } finally {
      this.inFlight.delete(id);
      this.outbound.delete(id);
    }
  }

  private async publishCall(session: AmqpSession, id: string, outbound: OutboundCall): Promise<void> {
    try {
      // The message expires with the caller's patience instead of waiting in the queue for no one.
      await publish(session.channel, CONTROL_EXCHANGE, outbound.routingKey, outbound.body, {
        replyTo: this.replyQueue,
        correlationId: id,
        expiration: String(Math.max(1, outbound.deadline - Date.now())),
        mandatory: true,
      });
    } catch (error) {
      LOG.debug(`Could not publish ${outbound.what}: ${messageOf(error)}`);
      this.failLost(id);
    }
  }

  /** A call RabbitMQ could not route (no queue bound for its target): sent again after a pause growing to a second. */
  private async resendReturned(message: ConsumeMessage): Promise<void> {
    const id: unknown = message.properties.correlationId;
    const outbound = typeof id === 'string' ? this.outbound.get(id) : undefined;
    if (typeof id !== 'string' || outbound === undefined) return;
    outbound.returns += 1;
    const pause = Math.min(MAX_RESEND_PAUSE_MS, RESEND_PAUSE_MS * 2 ** (outbound.returns - 1));
    if (Date.now() + pause >= outbound.deadline) return;
    if (outbound.returns === 1) LOG.debug(`No queue takes ${outbound.what} yet (its server may be reconnecting); sending it again until it is taken or the call times out`);
    await sleep(pause);
    const session = this.connection.current();
    // A call failed meanwhile (its connection dropped) or answered is not sent again.
    if (session === undefined || !this.inFlight.has(id)) return;
    await this.publishCall(session, id, outbound);
  }

  /**
   * Returns once RabbitMQ confirmed it holds the message. A message whose connection died before
   * the confirm is sent again on the next connection, until `timeoutMs`: a cast the caller saw
   * succeed is never lost with a connection (it may, rarely, arrive twice).
   */
  async cast(target: Target, envelope: Envelope, timeoutMs: number): Promise<void> {
    const what = `cast '${envelope.method}' to ${describeTarget(target)}`;
    const body = bodyOf(envelope);
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const session = await this.sessionForSend(what, Math.max(1, deadline - Date.now()));
      try {
        await publishConfirmed(session.channel, CONTROL_EXCHANGE, describeTarget(target), body);
        if (attempt > 1) LOG.info(`Sent ${what} on attempt ${attempt}`);
        return;
      } catch (error) {
        if (Date.now() + RESEND_PAUSE_MS >= deadline) {
          throw new MessageDeliveryFailure(`Could not send ${what}: ${messageOf(error)}`, { cause: error });
        }
        LOG.warning(`RabbitMQ did not confirm ${what} (${messageOf(error)}); sending it again`);
        await sleep(RESEND_PAUSE_MS);
      }
    }
  }

  async fanout(topic: string, envelope: Envelope, timeoutMs: number): Promise<void> {
    const what = `fanout '${envelope.method}' to ${topic}`;
    const body = bodyOf(envelope);
    const session = await this.sessionForSend(what, timeoutMs);
    await this.send(what, async () => {
      const channel = await this.fanoutChannelOf(session);
      await declareFanoutExchange(channel, topic);
      await publish(channel, fanoutExchange(topic), '', body, {});
    });
  }

  async close(): Promise<void> {
    const listeners = [...this.listeners];
    this.listeners.clear();
    await Promise.all(listeners.map((listener) => listener.stop()));
    this.pending.failAll(
      (call) => new MessageDeliveryFailure(`Transport closed while '${call.method}' waited for its reply from ${describeTarget(call.target)}`),
    );
    await this.connection.close();
  }

  /** Runs on every new connection: the reply queue, then every listener's queues and consumers. */
  private async onOpen(session: AmqpSession): Promise<void> {
    const { channel } = session;
    await declareControlExchange(channel);
    await declareReplyQueue(channel, this.replyQueue);
    await channel.consume(this.replyQueue, (message) => this.receiveReply(message), { noAck: true });
    channel.on('return', (message: ConsumeMessage) => void this.resendReturned(message));
    // A Set's iteration also visits listeners added while it runs.
    for (const listener of this.listeners) {
      if (!listener.isAttachedTo(session)) await listener.attach(session);
    }
  }

  private onLost(): void {
    for (const id of [...this.inFlight]) this.failLost(id);
    this.inFlight.clear();
    for (const listener of this.listeners) listener.detach();
    this.fanoutChannel = undefined;
  }

  private failLost(id: string): void {
    this.pending.fail(id, (call) =>
      MessagingTimeout.connectionLost(call.target, call.method, Date.now() - call.startedAt, this.connection.display),
    );
  }

  private receiveReply(message: ConsumeMessage | null): void {
    if (message === null) return;
    const id: unknown = message.properties.correlationId;
    let reply: Reply;
    try {
      reply = decodeReply(message.content.toString('utf8'));
    } catch (error) {
      LOG.error(`Dropped a malformed reply: ${messageOf(error)}`);
      return;
    }
    if (typeof id !== 'string' || !this.pending.settle(id, reply)) {
      LOG.debug(`Dropped reply ${String(id)}: no call waits for it (timed out or failed)`);
    }
  }

  private async sessionForSend(what: string, timeoutMs: number): Promise<AmqpSession> {
    const session = await this.connection.waitForSession(timeoutMs);
    if (!session) throw new MessageDeliveryFailure(`Could not send ${what}: ${this.connection.display} unreachable for ${timeoutMs} ms`);
    return session;
  }

  private async send(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      throw new MessageDeliveryFailure(`Could not send ${what}: ${messageOf(error)}`, { cause: error });
    }
  }

  private fanoutChannelOf(session: AmqpSession): Promise<Channel> {
    if (this.fanoutChannel?.session === session) return this.fanoutChannel.channel;
    const forget = (): void => {
      if (this.fanoutChannel?.channel === channel) this.fanoutChannel = undefined;
    };
    const channel = session.model.createChannel().then((created) => {
      created.on('error', (error: unknown) => LOG.debug(`Fanout channel error: ${messageOf(error)}`));
      created.on('close', forget);
      return created;
    });
    channel.catch(forget);
    this.fanoutChannel = { session, channel };
    return channel;
  }
}
