/**
 * @module The message bus: RPC client and server over a Transport (the seam: `inproc/`, `amqp/`).
 * Which transport runs is chosen by the composition roots (`cli/presets/transports.ts`).
 */
export { MessageDeliveryFailure, MessagingTimeout, NoSuchMethod, RemoteError, UnsupportedVersion } from './errors.js';
export { waitUntilReady, type WaitUntilReadyOptions } from './ping.js';
export { RpcClient, type CallOptions, type CastOptions, type RpcArgs, type RpcClientOptions } from './rpc-client.js';
export { RpcServer, type RpcHandler, type RpcHandlers, type RpcServerOptions } from './rpc-server.js';
export type { CastDelivery, Target, ServerTarget, Transport } from './transport.js';
