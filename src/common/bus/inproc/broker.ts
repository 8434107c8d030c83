import { describeTarget, type MessageHandler, type ServerTarget, type Target } from '../transport.js';

/** A server listening on the in-process bus. */
export interface Subscription {
  readonly target: ServerTarget;
  readonly handler: MessageHandler;
}

/**
 * The in-process stand-in for a RabbitMQ broker: who listens on which topic. Transports opened on
 * the same name share one broker, so services in one process talk as they would over AMQP.
 */
export class InprocBroker {
  private readonly byTopic = new Map<string, Subscription[]>();
  /** Next position in the round-robin, by routing key (`topic` or `topic.server`). */
  private readonly nextIndex = new Map<string, number>();

  subscribe(subscription: Subscription): void {
    const list = this.byTopic.get(subscription.target.topic) ?? [];
    list.push(subscription);
    this.byTopic.set(subscription.target.topic, list);
  }

  unsubscribe(subscription: Subscription): void {
    const list = this.byTopic.get(subscription.target.topic);
    if (!list) return;
    const remaining = list.filter((candidate) => candidate !== subscription);
    if (remaining.length === 0) this.byTopic.delete(subscription.target.topic);
    else this.byTopic.set(subscription.target.topic, remaining);
  }

  /**
   * The one server that receives a message for `target`, taking turns among those that qualify;
   * on a single-active topic, the longest subscribed takes every shared message.
   */
  pick(target: Target): Subscription | undefined {
    const candidates = this.subscribers(target.topic).filter(
      (subscription) => target.server === undefined || subscription.target.server === target.server,
    );
    if (candidates.length === 0) return undefined;
    if (target.server === undefined && candidates[0]?.target.singleActive === true) return candidates[0];
    const key = describeTarget(target);
    const index = (this.nextIndex.get(key) ?? 0) % candidates.length;
    this.nextIndex.set(key, index + 1);
    return candidates[index];
  }

  subscribers(topic: string): readonly Subscription[] {
    return this.byTopic.get(topic) ?? [];
  }
}

const brokers = new Map<string, InprocBroker>();

/** The broker called `name` in this process, created on first use. */
export function brokerNamed(name: string): InprocBroker {
  let broker = brokers.get(name);
  if (!broker) {
    broker = new InprocBroker();
    brokers.set(name, broker);
  }
  return broker;
}
