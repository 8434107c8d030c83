import { randomUUID } from 'node:crypto';
import type { Channel } from 'amqplib';
import { describeTarget, type ServerTarget } from '../transport.js';

/**
 * Names and declarations of what Nimbus puts on RabbitMQ, laid out as oslo.messaging does:
 * one topic exchange; per topic a shared queue (`compute`), per server its own (`compute.host1`);
 * per topic a fanout exchange (`compute_fanout`) with one private queue per server; per client a
 * private reply queue. Nothing is durable by default, as in oslo.messaging: a call's message is
 * worthless after a broker restart (its caller failed with the connection), but a cast queued for
 * a busy server is lost with it; `durable` keeps the exchange, the topic and server queues and
 * persistent casts across one. Reply and fanout queues live with their connection either way.
 */

/** oslo.messaging's control_exchange. */
export const CONTROL_EXCHANGE = 'nimbus';

export interface QueueOptions {
  /** Deletes a topic or server queue after this long without consumers; unset keeps it (and its messages). */
  readonly expiresMs: number | undefined;
  /** The control exchange and the topic and server queues survive a broker restart (`[bus] amqp_durable_queues`). */
  readonly durable: boolean;
}

export function fanoutExchange(topic: string): string {
  return `${topic}_fanout`;
}

export async function declareControlExchange(channel: Channel, options: QueueOptions): Promise<void> {
  await channel.assertExchange(CONTROL_EXCHANGE, 'topic', { durable: options.durable, autoDelete: false });
}

/** Auto-delete: it goes when the last server of the topic stops listening. */
export async function declareFanoutExchange(channel: Channel, topic: string): Promise<void> {
  await channel.assertExchange(fanoutExchange(topic), 'fanout', { durable: false, autoDelete: true });
}

/** Exclusive: it lives as long as the connection, and no one else can read the replies. */
export async function declareReplyQueue(channel: Channel, name: string): Promise<void> {
  await channel.assertQueue(name, { exclusive: true, autoDelete: true, durable: false });
}

/** Declares and binds the three queues a server consumes; returns their names. */
export async function declareServerQueues(channel: Channel, target: ServerTarget, options: QueueOptions): Promise<string[]> {
  const expires = options.expiresMs === undefined ? {} : { 'x-expires': options.expiresMs };
  const shared = target.singleActive === true ? { ...expires, 'x-single-active-consumer': true } : expires;
  for (const [name, args] of [[target.topic, shared], [describeTarget(target), expires]] as const) {
    await channel.assertQueue(name, { durable: options.durable, autoDelete: false, arguments: args });
    await channel.bindQueue(name, CONTROL_EXCHANGE, name);
  }
  const routed = [target.topic, describeTarget(target)];
  await declareFanoutExchange(channel, target.topic);
  const fanoutQueue = `${fanoutExchange(target.topic)}_${randomUUID()}`;
  await channel.assertQueue(fanoutQueue, { exclusive: true, autoDelete: true, durable: false });
  await channel.bindQueue(fanoutQueue, fanoutExchange(target.topic), '');
  return [...routed, fanoutQueue];
}
