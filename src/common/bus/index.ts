import { AmqpTransport } from './amqp/transport.js';
import { InprocTransport } from './inproc/transport.js';
import type { Transport } from './transport.js';

export { MessageDeliveryFailure, MessagingTimeout, NoSuchMethod, RemoteError, UnsupportedVersion } from './errors.js';
export { RpcClient, type CallOptions, type CastOptions, type RpcArgs, type RpcClientOptions } from './rpc-client.js';
export { RpcServer, type RpcHandler, type RpcHandlers, type RpcServerOptions } from './rpc-server.js';
export type { Target, ServerTarget, Transport } from './transport.js';

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
