import { setTimeout as sleep } from 'node:timers/promises';
import { newRequestId, runWithContext } from '../context/request-context.js';
import { messageOf, NimbusError } from '../errors/errors.js';
import { getLogger } from '../logging/logger.js';
import { NoSuchMethod, UnsupportedVersion } from './errors.js';
import { PING_METHOD, PONG } from './ping.js';
import type { Envelope, IncomingMessage, Listener, RemoteFailure, Reply, Transport } from './transport.js';
import { canHandle, parseVersion, requireVersion, type RpcVersion } from './version.js';

const LOG = getLogger('nimbus.common.bus');

/**
 * A cast whose handler found a dependency unavailable (a 503: the database down) runs again after
 * these pauses, doubling up to the last, for as long as the window lasts: no caller is waiting to
 * be told, so giving up at once would lose the work.
 */
export interface CastRetry {
  readonly firstPauseMs: number;
  readonly maxPauseMs: number;
  readonly windowMs: number;
}

const DEFAULT_CAST_RETRY: CastRetry = { firstPauseMs: 500, maxPauseMs: 5000, windowMs: 120_000 };

/** A stop still waiting for handlers after this long says which: a process that does not stop tells why. */
const STOP_WAIT_REPORT_MS = 10_000;

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
  /** How casts failing with a 503 are run again (default: from 0.5 s doubling to 5 s, for 2 minutes). */
  readonly castRetry?: CastRetry;
  /** The topic's shared messages go to one server at a time (ServerTarget.singleActive). */
  readonly singleActive?: boolean;
  /**
   * Asked before each message is handled: a promise holds it (unacknowledged, so it stays the
   * broker's) until it settles; undefined lets it through. A compute agent's paused bus.
   */
  readonly hold?: (method: string) => Promise<void> | undefined;
}

/** The receiving side of an RPC API (oslo.messaging's RPCServer). */
export class RpcServer {
  private readonly version: RpcVersion;
  /** The handlers running, with the method each runs. */
  private readonly inFlight = new Map<Promise<Reply>, string>();
  private listener: Listener | undefined;
  private stopping = false;

  constructor(
    private readonly transport: Transport,
    private readonly options: RpcServerOptions,
    private readonly handlers: RpcHandlers,
  ) {
    this.version = requireVersion(options.version);
  }

  async start(): Promise<void> {
    if (this.listener) return;
    this.stopping = false;
    const { topic, server, singleActive } = this.options;
    const target = singleActive === true ? { topic, server, singleActive } : { topic, server };
    this.listener = await this.transport.listen(target, (message) => this.track(message.envelope.method, this.handle(message)));
  }

  /** Stops receiving and waits for the handlers already running (a WARNING names them if that takes long). */
  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    this.stopping = true;
    await listener?.stop();
    if (this.inFlight.size === 0) return;
    const report = setTimeout(() => {
      const methods = [...this.inFlight.values()].join(', ');
      LOG.warning(`Stopping ${this.endpoint()} waits for ${this.inFlight.size} handler(s) still running: ${methods}`);
    }, STOP_WAIT_REPORT_MS);
    try {
      await Promise.all(this.inFlight.keys());
    } finally {
      clearTimeout(report);
    }
  }

  private track(method: string, work: Promise<Reply>): Promise<Reply> {
    this.inFlight.set(work, method);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  /** Runs the handler inside the caller's request context, so its log lines carry the request id. */
  private handle(message: IncomingMessage): Promise<Reply> {
    const { envelope } = message;
    return runWithContext(envelope.context ?? { requestId: newRequestId() }, async (): Promise<Reply> => {
      const held = this.options.hold?.(envelope.method);
      if (held !== undefined) await held;
      const retry = this.options.castRetry ?? DEFAULT_CAST_RETRY;
      const giveUpAt = Date.now() + retry.windowMs;
      for (let pauseMs = retry.firstPauseMs; ; pauseMs = Math.min(pauseMs * 2, retry.maxPauseMs)) {
        try {
          const result = await this.dispatch(envelope);
          return { ok: true, result };
        } catch (error) {
          if (message.expectsReply || !isUnavailable(error) || this.stopping || Date.now() + pauseMs > giveUpAt) {
            this.logFailure(envelope, message.expectsReply, error);
            return { ok: false, error: toFailure(error) };
          }
          LOG.debug(`cast '${envelope.method}' on ${this.endpoint()} runs again in ${pauseMs} ms: ${messageOf(error)}`);
          await sleep(pauseMs);
        }
      }
    });
  }

  private dispatch(envelope: Envelope): unknown {
    if (envelope.method === PING_METHOD) return PONG;
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

/** A dependency that is down for now (the database): worth running a cast again, later. */
function isUnavailable(error: unknown): error is NimbusError {
  return error instanceof NimbusError && error.status === 503;
}

/** The class name travels, not `name`, which subclasses of Error often leave as 'Error'. */
function toFailure(error: unknown): RemoteFailure {
  if (error instanceof NimbusError) return { className: error.constructor.name, message: error.message, status: error.status };
  if (error instanceof Error) return { className: error.constructor.name, message: error.message };
  return { className: 'Error', message: String(error) };
}
