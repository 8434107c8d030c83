import type { ConsumeMessage } from 'amqplib';
import { getLogger } from '../../logging/logger.js';
import { messageOf } from '../../errors/errors.js';
import { describeTarget, type MessageHandler, type Reply, type ServerTarget } from '../transport.js';
import { decodeEnvelope, encodeReply } from '../wire.js';
import type { AmqpSession } from './connection.js';
import { declareServerQueues, type QueueOptions } from './topology.js';

const LOG = getLogger('nimbus.common.bus');

/**
 * One server's consumers on RabbitMQ. It is attached to each new session (after every reconnect)
 * and detached when the session dies; the transport keeps it across both.
 */
export class AmqpListener {
  private session: AmqpSession | undefined;
  private consumerTags: string[] = [];

  constructor(
    readonly target: ServerTarget,
    private readonly handler: MessageHandler,
    private readonly queues: QueueOptions,
  ) {}

  isAttachedTo(session: AmqpSession): boolean {
    return this.session === session;
  }

  async attach(session: AmqpSession): Promise<void> {
    const names = await declareServerQueues(session.channel, this.target, this.queues);
    const tags: string[] = [];
    for (const name of names) {
      const { consumerTag } = await session.channel.consume(name, (message) => this.receive(session, message), { noAck: false });
      tags.push(consumerTag);
    }
    this.session = session;
    this.consumerTags = tags;
  }

  /** The session died: its consumers died with it. */
  detach(): void {
    this.session = undefined;
    this.consumerTags = [];
  }

  async stop(): Promise<void> {
    const session = this.session;
    const tags = this.consumerTags;
    this.detach();
    if (!session) return;
    try {
      for (const tag of tags) await session.channel.cancel(tag);
    } catch (error) {
      LOG.debug(`Cancelling consumers of ${describeTarget(this.target)}: ${messageOf(error)}`);
    }
  }

  /**
   * Acknowledges once the handler has settled, so prefetch bounds the handlers running at once.
   * A server that dies mid-handler gets its message redelivered (at-least-once).
   */
  private receive(session: AmqpSession, message: ConsumeMessage | null): void {
    if (message === null) {
      LOG.warning(`RabbitMQ cancelled a consumer of ${describeTarget(this.target)} (queue deleted?)`);
      return;
    }
    let envelope;
    try {
      envelope = decodeEnvelope(message.content.toString('utf8'));
    } catch (error) {
      LOG.error(`Dropped a malformed message for ${describeTarget(this.target)}: ${messageOf(error)}`);
      this.ack(session, message);
      return;
    }
    const { replyTo, correlationId } = message.properties as { replyTo?: unknown; correlationId?: unknown };
    const expectsReply = typeof replyTo === 'string' && typeof correlationId === 'string';
    void this.handler({ envelope, expectsReply })
      .then((reply) => {
        if (expectsReply) this.reply(session, replyTo, correlationId, reply);
      })
      .catch((error: unknown) => LOG.error(`Message handler on ${describeTarget(this.target)} failed`, { error }))
      .finally(() => this.ack(session, message));
  }

  private reply(session: AmqpSession, replyTo: string, correlationId: string, reply: Reply): void {
    try {
      session.channel.sendToQueue(replyTo, Buffer.from(encodeReply(reply)), { correlationId, contentType: 'application/json' });
    } catch (error) {
      // The connection went away while the handler ran; the caller's call has already failed.
      LOG.debug(`Could not send the reply ${correlationId} to ${replyTo}: ${messageOf(error)}`);
    }
  }

  private ack(session: AmqpSession, message: ConsumeMessage): void {
    try {
      session.channel.ack(message);
    } catch (error) {
      LOG.debug(`Could not acknowledge a message for ${describeTarget(this.target)}: ${messageOf(error)}`);
    }
  }
}
