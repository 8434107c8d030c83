import type { RequestContext } from '../context/request-context.js';

/**
 * The bus seam, as oslo.messaging draws it: RpcClient and RpcServer speak only to this interface,
 * and each transport (inproc/, amqp/) implements it. Messages cross it as plain JSON data.
 */

/** Where a message goes: any server of `topic` (they share the work), or one named `server`. */
export interface Target {
  readonly topic: string;
  readonly server?: string;
}

/** Where a server listens: its topic's shared queue, its own `topic.server` queue and the topic's fanout. */
export interface ServerTarget {
  readonly topic: string;
  readonly server: string;
  /**
   * One server at a time takes the topic's shared messages and the others stand by, taking over
   * when it goes (RabbitMQ's single active consumer): for a service whose decisions must not
   * interleave across processes (the scheduler's claims). Its own and fanout queues are as usual.
   */
  readonly singleActive?: boolean;
}

/** One RPC message on the wire. */
export interface Envelope {
  /** 'major.minor' of the API the sender speaks. */
  readonly version: string;
  readonly method: string;
  /** Plain JSON data: named arguments of the method. */
  readonly args: object;
  /** The request the message serves; null when sent outside one. */
  readonly context: RequestContext | null;
}

/** A handler's failure as it travels back to the caller. */
export interface RemoteFailure {
  /** Class name of the error thrown on the server (`NotFound`, `TypeError`, …). */
  readonly className: string;
  readonly message: string;
  /** HTTP status when the error was a NimbusError, so an API can map a remote 404 to its own 404. */
  readonly status?: number;
}

/** The answer to a call. */
export type Reply = { readonly ok: true; readonly result?: unknown } | { readonly ok: false; readonly error: RemoteFailure };

export interface IncomingMessage {
  readonly envelope: Envelope;
  /** True for a call: the transport sends the reply back. False for a cast or a fanout. */
  readonly expectsReply: boolean;
}

/** Handles one message; resolves with the reply (ignored for casts) and never rejects. */
export type MessageHandler = (message: IncomingMessage) => Promise<Reply>;

export interface Listener {
  /** Stops receiving; messages already handed to the handler still complete. */
  stop(): Promise<void>;
}

/** What a cast's sender learns after the cast returned: the message was dropped, undelivered. */
export interface CastDelivery {
  /** No server listened for the cast within its timeout (or the transport closed first); called once. */
  readonly onDropped?: (reason: string) => void;
}

export interface Transport {
  /**
   * Opens the transport. Idempotent. Rejects with a StartupError when the broker cannot be reached,
   * within a few seconds. Every other operation needs it first.
   */
  connect(): Promise<void>;
  /** Receives messages sent to the topic, to topic.server, and fanouts of the topic. */
  listen(target: ServerTarget, handler: MessageHandler): Promise<Listener>;
  /** Sends and waits for the reply; rejects with MessagingTimeout after `timeoutMs` or when the connection drops. */
  call(target: Target, envelope: Envelope, timeoutMs: number): Promise<Reply>;
  /**
   * Sends without a reply. Rejects with MessageDeliveryFailure if the bus stays unreachable for
   * `timeoutMs`; resolves once the bus holds the message, whether a server listens yet or not.
   */
  cast(target: Target, envelope: Envelope, timeoutMs: number, delivery?: CastDelivery): Promise<void>;
  /** Sends to every server listening on `topic`, without a reply. */
  fanout(topic: string, envelope: Envelope, timeoutMs: number): Promise<void>;
  /**
   * `listener` runs each time a lost connection is back and every listener consumes again. What the
   * broker held may be gone (queues not durable: a restarted RabbitMQ starts empty), so a sender
   * that keeps what it cast can send it again. Answers a function that unregisters it.
   */
  onReconnected(listener: () => void): () => void;
  /** Stops listeners, fails pending calls, closes the connection. */
  close(): Promise<void>;
}

/** `topic` or `topic.server`: how targets read in messages, and the AMQP routing key. */
export function describeTarget(target: Target): string {
  return target.server === undefined ? target.topic : `${target.topic}.${target.server}`;
}
