import { newRequestId, runWithContext } from '../context/request-context.js';
import { NimbusError } from '../errors/errors.js';
import { getLogger } from '../logging/logger.js';
import { NoSuchMethod, UnsupportedVersion } from './errors.js';
import type { Envelope, IncomingMessage, Listener, RemoteFailure, Reply, Transport } from './transport.js';
import { canHandle, parseVersion, requireVersion, type RpcVersion } from './version.js';

const LOG = getLogger('nimbus.common.bus');

/**
 * One method of an RPC API, usually async. Arguments arrive as JSON from another process: the
 * handler declares the shape it expects and returns plain JSON data.
 */
export type RpcHandler = (args: never) => unknown;

/** The methods a server answers, by name. */
export type RpcHandlers = Readonly<Record<string, RpcHandler>>;

export interface RpcServerOptions {
  readonly topic: string;
  /** This server's name within the topic (the host, for a compute agent). */
  readonly server: string;
  /** 'major.minor' of the API the handlers implement. */
  readonly version: string;
}

/** The receiving side of an RPC API (oslo.messaging's RPCServer). */
export class RpcServer {
  private readonly version: RpcVersion;
  private readonly inFlight = new Set<Promise<Reply>>();
  private listener: Listener | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly options: RpcServerOptions,
    private readonly handlers: RpcHandlers,
  ) {
    this.version = requireVersion(options.version);
  }

  async start(): Promise<void> {
    if (this.listener) return;
    const { topic, server } = this.options;
    this.listener = await this.transport.listen({ topic, server }, (message) => this.track(this.handle(message)));
  }

  /** Stops receiving and waits for the handlers already running. */
  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.stop();
    await Promise.all(this.inFlight);
  }

  private track(work: Promise<Reply>): Promise<Reply> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  /** Runs the handler inside the caller's request context, so its log lines carry the request id. */
  private handle(message: IncomingMessage): Promise<Reply> {
    const { envelope } = message;
    return runWithContext(envelope.context ?? { requestId: newRequestId() }, async (): Promise<Reply> => {
      try {
        const result = await this.dispatch(envelope);
        return { ok: true, result };
      } catch (error) {
        this.logFailure(envelope, message.expectsReply, error);
        return { ok: false, error: toFailure(error) };
      }
    });
  }

  private dispatch(envelope: Envelope): unknown {
    const wanted = parseVersion(envelope.version);
    if (!wanted || !canHandle(this.version, wanted)) {
      throw new UnsupportedVersion(
        `${this.endpoint()} speaks version ${this.options.version}, cannot handle '${envelope.method}' at version ${envelope.version}`,
      );
    }
    const handler = Object.hasOwn(this.handlers, envelope.method) ? this.handlers[envelope.method] : undefined;
    if (!handler) throw new NoSuchMethod(`${this.endpoint()} has no method '${envelope.method}'`);
    return handler(envelope.args as never);
  }

  private logFailure(envelope: Envelope, expectsReply: boolean, error: unknown): void {
    const what = `${expectsReply ? 'call' : 'cast'} '${envelope.method}' on ${this.endpoint()}`;
    if (error instanceof UnsupportedVersion || error instanceof NoSuchMethod) {
      LOG.warning(`Rejected ${what}: ${error.message}`);
    } else if (expectsReply && error instanceof NimbusError && (error.status < 500 || error.status === 503)) {
      // The caller gets it back and decides; for a call this is an answer, not a fault (a 503, the
      // database down, is logged once by the database's outage guard, not at every call).
      LOG.debug(`${what} failed: ${error.name}: ${error.message}`);
    } else {
      LOG.error(`Exception while handling ${what}`, { error });
    }
  }

  private endpoint(): string {
    return `${this.options.topic}.${this.options.server}`;
  }
}

/** The class name travels, not `name`, which subclasses of Error often leave as 'Error'. */
function toFailure(error: unknown): RemoteFailure {
  if (error instanceof NimbusError) return { className: error.constructor.name, message: error.message, status: error.status };
  if (error instanceof Error) return { className: error.constructor.name, message: error.message };
  return { className: 'Error', message: String(error) };
}
