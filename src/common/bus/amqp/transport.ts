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
  type CastDelivery,
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

/** Messages a consumer holds unacknowledged by default: more wait in its queue on the broker. */
export const DEFAULT_PREFETCH = 64;
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
  /** Durable exchange, topic and server queues and persistent casts (`[bus] amqp_durable_queues`); default false. */
  readonly durableQueues?: boolean;
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

/**
 * Publishes and resolves once the broker has taken the message: it is in a queue, or, mandatory,
 * was returned first (RabbitMQ sends basic.return before the confirm).
 */
function publishConfirmed(channel: ConfirmChannel, exchange: string, routingKey: string, body: Buffer, options: Options.Publish): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      channel.publish(exchange, routingKey, body, { contentType: 'application/json', ...options }, (error: unknown) => {
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

/** A call's or cast's message as published, kept while it may come back so that a returned one can go again. */
interface Outbound {
  readonly routingKey: string;
  readonly body: Buffer;
  readonly deadline: number;
  readonly what: string;
  returns: number;
  /** A cast's sender, told when it is dropped. */
  readonly onDropped?: (reason: string) => void;
}

/** The pause before a message RabbitMQ returned for the `returns`-th time goes again: 0.1 s doubling to 1 s. */
function resendPause(returns: number): number {
  return Math.min(MAX_RESEND_PAUSE_MS, RESEND_PAUSE_MS * 2 ** (returns - 1));
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
  private readonly outbound = new Map<string, Outbound>();
  /**
   * Casts are published `mandatory` too, for the same reason (Nova's conductor and agents would
   * otherwise lose an operation the API accepted). A returned cast is sent again in the background,
   * until it is taken or its timeout (`rpc_response_timeout`) passes — then dropped with a WARNING;
   * the caller, who only waited for the broker's confirm, never waits for the server's queue.
   * Keyed by the message id.
   */
  private readonly outboundCasts = new Map<string, Outbound>();
  /** Ends the background resends of returned casts when the transport closes. */
  private readonly closing = new AbortController();
  private readonly listeners = new Set<AmqpListener>();
  private readonly reconnectListeners = new Set<() => void>();
  private readonly replyQueue = `reply_${randomUUID()}`;
  private readonly queues: QueueOptions;
  /** Fanouts go on their own channel: publishing to an exchange that just vanished must not kill the main one. */
  private fanoutChannel: { readonly session: AmqpSession; readonly channel: Promise<Channel> } | undefined;

  constructor(url: string, options: AmqpTransportOptions = {}) {
    this.queues = { expiresMs: options.queueExpiresMs, durable: options.durableQueues ?? false };
    this.connection = new AmqpConnection(
      parseAmqpUrl(url),
      { onOpen: (session) => this.onOpen(session), onLost: () => this.onLost(), onReconnected: () => this.onReconnectedSession() },
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
    const outbound: Outbound = { routingKey: describeTarget(target), body, deadline: startedAt + timeoutMs, what: `'${envelope.method}' to ${describeTarget(target)}`, returns: 0 };
    this.outbound.set(id, outbound);
    await this.publishCall(session, id, outbound);
    try {
      return await reply;
    } finally {
      this.inFlight.delete(id);
      this.outbound.delete(id);
    }
  }

  private async publishCall(session: AmqpSession, id: string, outbound: Outbound): Promise<void> {
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
  private async resendReturned(id: string): Promise<void> {
    const outbound = this.outbound.get(id);
    if (outbound === undefined) return;
    outbound.returns += 1;
    const pause = resendPause(outbound.returns);
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
   * succeed is never lost with a connection (it may, rarely, arrive twice). One RabbitMQ returned
   * (no queue for it yet) goes on in the background (`resendReturnedCast`): the caller is not held up.
   */
  async cast(target: Target, envelope: Envelope, timeoutMs: number, delivery: CastDelivery = {}): Promise<void> {
    const id = randomUUID();
    const outbound: Outbound = {
      routingKey: describeTarget(target),
      body: bodyOf(envelope),
      deadline: Date.now() + timeoutMs,
      what: `cast '${envelope.method}' to ${describeTarget(target)}`,
      returns: 0,
      ...(delivery.onDropped === undefined ? {} : { onDropped: delivery.onDropped }),
    };
    this.outboundCasts.set(id, outbound);
    try {
      await this.publishCast(id, outbound);
    } finally {
      // Returned before its confirm, it is the background resend's now.
      if (outbound.returns === 0) this.outboundCasts.delete(id);
    }
  }

  /** Publishes a cast until RabbitMQ confirms it, on the next connection if this one dies first. */
  private async publishCast(id: string, outbound: Outbound): Promise<void> {
    const { what, deadline } = outbound;
    for (let attempt = 1; ; attempt++) {
      const session = await this.sessionForSend(what, Math.max(1, deadline - Date.now()));
      try {
        // Persistent where the queues are durable: RabbitMQ confirms it once on disk, and has it after a crash.
        await publishConfirmed(session.channel, CONTROL_EXCHANGE, outbound.routingKey, outbound.body, { messageId: id, mandatory: true, persistent: this.queues.durable });
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

  /** A cast RabbitMQ could not route: sent again after a pause growing to a second, or dropped at its deadline. */
  private async resendReturnedCast(id: string, outbound: Outbound): Promise<void> {
    outbound.returns += 1;
    const returns = outbound.returns;
    const pause = resendPause(returns);
    if (Date.now() + pause >= outbound.deadline) {
      this.dropCast(id, outbound, 'no queue took it before its timeout');
      return;
    }
    if (returns === 1) LOG.info(`No queue takes ${outbound.what} yet (its server may be reconnecting); sending it again until it is taken or times out`);
    try {
      await sleep(pause, undefined, { signal: this.closing.signal });
      await this.publishCast(id, outbound);
    } catch (error) {
      this.dropCast(id, outbound, this.closing.signal.aborted ? 'the transport closed' : messageOf(error));
      return;
    }
    // Returned again meanwhile (basic.return comes before the confirm): that return's resend carries on.
    if (outbound.returns !== returns) return;
    this.outboundCasts.delete(id);
    LOG.info(`Sent ${outbound.what} after ${returns} return(s)`);
  }

  private dropCast(id: string, outbound: Outbound, why: string): void {
    if (!this.outboundCasts.delete(id)) return;
    LOG.warning(`Dropped ${outbound.what}: ${why} (returned ${outbound.returns} time(s): no server listens for it)`);
    outbound.onDropped?.(why);
  }

  /** A message RabbitMQ returned: a call's (correlation id) or a cast's (message id). */
  private onReturned(message: ConsumeMessage): void {
    const correlationId: unknown = message.properties.correlationId;
    const messageId: unknown = message.properties.messageId;
    const cast = typeof messageId === 'string' ? this.outboundCasts.get(messageId) : undefined;
    if (typeof messageId === 'string' && cast !== undefined) void this.resendReturnedCast(messageId, cast);
    else if (typeof correlationId === 'string') void this.resendReturned(correlationId);
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

  onReconnected(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closing.abort();
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
    await declareControlExchange(channel, this.queues);
    await declareReplyQueue(channel, this.replyQueue);
    await channel.consume(this.replyQueue, (message) => this.receiveReply(message), { noAck: true });
    channel.on('return', (message: ConsumeMessage) => this.onReturned(message));
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

  private onReconnectedSession(): void {
    for (const listener of this.reconnectListeners) {
      try {
        listener();
      } catch (error) {
        LOG.error(`A listener of the reconnect to ${this.connection.display} failed: ${messageOf(error)}`);
      }
    }
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
