import { AmqpTransport } from '../../common/bus/amqp/transport.js';
import { InprocTransport } from '../../common/bus/inproc/transport.js';
import type { Transport } from '../../common/bus/transport.js';

/** Who opens the transport: RabbitMQ names its connection `nimbus-<command>:<host>:<pid>` after it. */
export interface TransportOwner {
  /** The `nimbus` subcommand running: `serve`, `up`, `compute-agent`, `network-agent`. */
  readonly command: string;
  /** `[DEFAULT] host`. */
  readonly host: string;
}

/** How RabbitMQ keeps messages (`[bus]`); the in-process bus has nothing to keep. */
export interface TransportDurability {
  /** `[bus] amqp_durable_queues`. */
  readonly durableQueues: boolean;
}

/**
 * The transport for a `[bus] transport_url`: `inproc://[name]` for one process, `rabbit://` or
 * `amqp://` for RabbitMQ. The only place that chooses; call `connect()` on the result.
 */
export function openTransport(url: string, owner: TransportOwner, durability: TransportDurability = { durableQueues: false }): Transport {
  const scheme = url.slice(0, url.indexOf('://') + 1).toLowerCase();
  switch (scheme) {
    case 'inproc:':
      return new InprocTransport(url.slice('inproc://'.length) || 'default');
    case 'rabbit:':
    case 'amqp:':
      // Shown by `rabbitmqctl list_connections name client_properties`: which process on which host.
      return new AmqpTransport(url, { connectionName: `nimbus-${owner.command}:${owner.host}:${process.pid}`, durableQueues: durability.durableQueues });
    default:
      throw new Error(`Unsupported message bus URL '${url}': expected inproc://, rabbit:// or amqp://`);
  }
}
