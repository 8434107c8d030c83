import { randomUUID } from 'node:crypto';
import { getLogger } from '../../logging/logger.js';
import { MessageDeliveryFailure } from '../errors.js';
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
import { decodeEnvelope, decodeReply, encodeEnvelope, encodeReply } from '../wire.js';
import { brokerNamed, type InprocBroker, type Subscription } from './broker.js';

const LOG = getLogger('nimbus.common.bus');

/**
 * The bus inside one process (`inproc://` or `inproc://<name>`). It keeps AMQP's semantics so code
 * tested on it behaves the same on RabbitMQ: every message and reply goes through JSON (no shared
 * objects), delivery is asynchronous, a call nobody answers times out, servers of a topic take turns.
 */
export class InprocTransport implements Transport {
  private readonly broker: InprocBroker;
  private readonly pending = new PendingCalls();
  private readonly subscriptions = new Set<Subscription>();
  private state: 'new' | 'open' | 'closed' = 'new';

  constructor(private readonly brokerName: string) {
    this.broker = brokerNamed(brokerName);
  }

  connect(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new MessageDeliveryFailure(`${this.describe()} is closed`));
    this.state = 'open';
    return Promise.resolve();
  }

  listen(target: ServerTarget, handler: MessageHandler): Promise<Listener> {
    return this.whenOpen(() => {
      const subscription: Subscription = { target: { ...target }, handler };
      this.broker.subscribe(subscription);
      this.subscriptions.add(subscription);
      return {
        stop: () => {
          this.unsubscribe(subscription);
          return Promise.resolve();
        },
      };
    });
  }

  call(target: Target, envelope: Envelope, timeoutMs: number): Promise<Reply> {
    return this.whenOpen(() => {
      const body = encodeEnvelope(envelope);
      const id = randomUUID();
      const reply = this.pending.wait(id, { target, method: envelope.method, startedAt: Date.now(), timeoutMs });
      setImmediate(() => this.deliverCall(id, target, body));
      return reply;
    });
  }

  cast(target: Target, envelope: Envelope, _timeoutMs: number, delivery: CastDelivery = {}): Promise<void> {
    return this.whenOpen(() => {
      const body = encodeEnvelope(envelope);
      setImmediate(() => {
        const subscription = this.broker.pick(target);
        if (subscription) {
          void this.invoke(subscription, body, false);
          return;
        }
        // No queue here outlives its server: the cast is lost at once (RabbitMQ's would be kept while the queue is).
        LOG.warning(`Dropped cast '${envelope.method}' to ${describeTarget(target)}: no server listens`);
        delivery.onDropped?.('no server listens');
      });
    });
  }

  fanout(topic: string, envelope: Envelope): Promise<void> {
    return this.whenOpen(() => {
      const body = encodeEnvelope(envelope);
      setImmediate(() => {
        for (const subscription of this.broker.subscribers(topic)) void this.invoke(subscription, body, false);
      });
    });
  }

  /** The bus inside a process has no connection to lose: the listener never runs. */
  onReconnected(): () => void {
    return () => undefined;
  }

  close(): Promise<void> {
    this.state = 'closed';
    for (const subscription of this.subscriptions) this.unsubscribe(subscription);
    this.pending.failAll(
      (call) => new MessageDeliveryFailure(`${this.describe()} closed while '${call.method}' waited for its reply`),
    );
    return Promise.resolve();
  }

  private deliverCall(id: string, target: Target, body: string): void {
    // No server: the message is lost, as on RabbitMQ, and the caller's timeout fires.
    const subscription = this.broker.pick(target);
    if (!subscription) return;
    void this.invoke(subscription, body, true).then((reply) => {
      if (!reply) return;
      const replyBody = encodeReply(reply);
      setImmediate(() => this.pending.settle(id, decodeReply(replyBody)));
    });
  }

  private async invoke(subscription: Subscription, body: string, expectsReply: boolean): Promise<Reply | undefined> {
    try {
      return await subscription.handler({ envelope: decodeEnvelope(body), expectsReply });
    } catch (error) {
      LOG.error(`Message handler on ${describeTarget(subscription.target)} failed`, { error });
      return undefined;
    }
  }

  private unsubscribe(subscription: Subscription): void {
    this.broker.unsubscribe(subscription);
    this.subscriptions.delete(subscription);
  }

  /** Runs `work` if the transport is open; any failure, even a synchronous one, becomes a rejection. */
  private whenOpen<T>(work: () => T | Promise<T>): Promise<T> {
    if (this.state !== 'open') {
      return Promise.reject(
        new MessageDeliveryFailure(`${this.describe()} is ${this.state === 'new' ? 'not connected yet' : 'closed'}`),
      );
    }
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private describe(): string {
    return `In-process bus inproc://${this.brokerName}`;
  }
}
