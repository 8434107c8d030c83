import { AmqpTransport } from '../../common/bus/amqp/transport.js';
import { InprocTransport } from '../../common/bus/inproc/transport.js';
import type { Transport } from '../../common/bus/transport.js';

/**
 * The transport for a `[bus] transport_url`: `inproc://[name]` for one process, `rabbit://` or
 * `amqp://` for RabbitMQ. The only place that chooses; call `connect()` on the result.
 */
export function openTransport(url: string): Transport {
  const scheme = url.slice(0, url.indexOf('://') + 1).toLowerCase();
  switch (scheme) {
    case 'inproc:':
      return new InprocTransport(url.slice('inproc://'.length) || 'default');
    case 'rabbit:':
    case 'amqp:':
      return new AmqpTransport(url);
    default:
      throw new Error(`Unsupported message bus URL '${url}': expected inproc://, rabbit:// or amqp://`);
  }
}
