import { currentContext } from '../context/request-context.js';
import { RemoteError } from './errors.js';
import type { CastDelivery, Envelope, Target, Transport } from './transport.js';
import { requireVersion } from './version.js';

/** Named arguments of a method: plain JSON data (no class instances, functions or dates). */
export type RpcArgs = object;

export interface RpcClientOptions {
  readonly topic: string;
  /** 'major.minor' of the API this client speaks; servers with the same major and a minor ≥ it accept. */
  readonly version: string;
  /** Seconds a call waits for its reply unless told otherwise ([bus] rpc_response_timeout). */
  readonly timeoutSeconds: number;
}

export interface CallOptions {
  /** Send to this server of the topic instead of any of them. */
  readonly server?: string;
  readonly timeoutMs?: number;
}

export interface CastOptions extends CastDelivery {
  readonly server?: string;
}

/**
 * The sending side of an RPC API (oslo.messaging's RPCClient). The current RequestContext rides in
 * every message, so the server's log lines carry the caller's request id.
 */
export class RpcClient {
  private readonly defaultTimeoutMs: number;

  constructor(
    private readonly transport: Transport,
    private readonly options: RpcClientOptions,
  ) {
    requireVersion(options.version);
    this.defaultTimeoutMs = options.timeoutSeconds * 1000;
  }

  /** Invokes `method` on one server and returns its result; a handler's error comes back as RemoteError. */
  async call<T = unknown>(method: string, args: RpcArgs, options: CallOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const reply = await this.transport.call(this.target(options.server), this.envelope(method, args), timeoutMs);
    if (!reply.ok) throw new RemoteError(reply.error);
    return reply.result as T;
  }

  /** Sends `method` to one server without waiting; failures are logged by the server. */
  cast(method: string, args: RpcArgs, options: CastOptions = {}): Promise<void> {
    const delivery = options.onDropped === undefined ? {} : { onDropped: options.onDropped };
    return this.transport.cast(this.target(options.server), this.envelope(method, args), this.defaultTimeoutMs, delivery);
  }

  /** Sends `method` to every server of the topic without waiting. */
  fanout(method: string, args: RpcArgs): Promise<void> {
    return this.transport.fanout(this.options.topic, this.envelope(method, args), this.defaultTimeoutMs);
  }

  private target(server: string | undefined): Target {
    return server === undefined ? { topic: this.options.topic } : { topic: this.options.topic, server };
  }

  private envelope(method: string, args: RpcArgs): Envelope {
    return { version: this.options.version, method, args, context: currentContext() ?? null };
  }
}
