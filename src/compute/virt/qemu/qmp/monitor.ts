/**
 * A QMP monitor connection: connects to QEMU's unix socket, negotiates capabilities, runs one
 * command at a time per id, queues events for whoever waits on them, and notices when QEMU goes
 * away (every command in flight then fails with QmpDisconnected).
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { QmpCommandError, QmpDisconnected, QmpTimeout } from './errors.js';
import type { QmpArguments, QmpEvent, QmpGreeting, QmpMessage } from './protocol.js';
import { LineDecoder, encodeCommand, parseMessage } from './protocol.js';

const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

interface Pending {
  readonly command: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** How an event wait ended: the event, or why none came. */
export type EventWait = QmpEvent | 'timeout' | 'disconnected';

export interface EventWaitOptions {
  readonly timeoutMs: number;
  readonly match?: (event: QmpEvent) => boolean;
}

type EventListener = (event: QmpEvent) => void;

export class QmpMonitor {
  readonly socketPath: string;
  readonly greeting: QmpGreeting;
  /** Resolves once the socket closed, whoever closed it. */
  readonly closed: Promise<void>;

  readonly #socket: Socket;
  readonly #pending = new Map<string, Pending>();
  readonly #listeners = new Set<EventListener>();
  #nextId = 1;
  #connected = true;

  private constructor(socketPath: string, socket: Socket, greeting: QmpGreeting, closed: Promise<void>) {
    this.socketPath = socketPath;
    this.#socket = socket;
    this.greeting = greeting;
    this.closed = closed;
    void closed.then(() => this.#onClose());
  }

  get connected(): boolean {
    return this.#connected;
  }

  /**
   * Connects, reads the greeting and leaves capabilities negotiation mode. `waitForSocket`
   * (the default) retries while QEMU has not created or opened the socket yet; without it a
   * missing or refusing socket fails at once with its ENOENT / ECONNREFUSED; so does every
   * attempt once `signal` aborts (the process that would listen is gone).
   */
  static async connect(
    socketPath: string,
    options: { readonly timeoutMs: number; readonly waitForSocket?: boolean; readonly signal?: AbortSignal },
  ): Promise<QmpMonitor> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      try {
        return await QmpMonitor.#attempt(socketPath, Math.max(deadline - Date.now(), 1));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const retryable = (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ECONNRESET') && options.waitForSocket !== false;
        if (!retryable || options.signal?.aborted === true) throw error;
        if (Date.now() >= deadline) throw new QmpTimeout(`connect to ${socketPath}`, options.timeoutMs);
        await sleep(20);
      }
    }
  }

  static #attempt(socketPath: string, timeoutMs: number): Promise<QmpMonitor> {
    return new Promise((resolve, reject) => {
      const socket = connect(socketPath);
      const decoder = new LineDecoder();
      let monitor: QmpMonitor | undefined;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new QmpTimeout(`greeting from ${socketPath}`, timeoutMs));
      }, timeoutMs);
      const closed = new Promise<void>((resolveClosed) => socket.once('close', () => resolveClosed()));
      socket.setEncoding('utf8');
      socket.on('error', (error) => {
        clearTimeout(timer);
        if (monitor === undefined) reject(error);
      });
      socket.on('data', (chunk: string) => {
        for (const line of decoder.push(chunk)) {
          let message: QmpMessage;
          try {
            message = parseMessage(line);
          } catch (error) {
            socket.destroy(error as Error);
            return;
          }
          if (monitor !== undefined) {
            monitor.#dispatch(message);
          } else if (message.kind === 'greeting') {
            clearTimeout(timer);
            const created: QmpMonitor = new QmpMonitor(socketPath, socket, message, closed);
            monitor = created;
            created.run('qmp_capabilities').then(() => resolve(created), reject);
          }
        }
      });
      void closed.then(() => {
        clearTimeout(timer);
        if (monitor === undefined) reject(new QmpDisconnected(socketPath));
      });
    });
  }

  /** Runs one command and resolves with its `return` value. */
  run(command: string, args?: QmpArguments, options: { readonly timeoutMs?: number } = {}): Promise<unknown> {
    if (!this.#connected) return Promise.reject(new QmpDisconnected(this.socketPath));
    const id = `nimbus-${this.#nextId++}`;
    const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new QmpTimeout(command, timeoutMs));
      }, timeoutMs);
      const settle = (action: () => void): void => {
        clearTimeout(timer);
        this.#pending.delete(id);
        action();
      };
      this.#pending.set(id, {
        command,
        resolve: (value) => settle(() => resolve(value)),
        reject: (error) => settle(() => reject(error)),
      });
      this.#socket.write(encodeCommand(id, command, args));
    });
  }

  /** Calls `listener` for every event until the returned function is called. */
  onEvent(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The next event named `name` (and matching `match`). Start waiting before sending the command
   * that causes it. Never rejects: a timeout or a closed socket is the answer instead.
   */
  waitForEvent(name: string, options: EventWaitOptions): Promise<EventWait> {
    return new Promise((resolve) => {
      const finish = (result: EventWait): void => {
        clearTimeout(timer);
        unsubscribe();
        resolve(result);
      };
      const unsubscribe = this.onEvent((event) => {
        if (event.event === name && (options.match?.(event) ?? true)) finish(event);
      });
      const timer = setTimeout(() => finish('timeout'), options.timeoutMs);
      void this.closed.then(() => finish('disconnected'));
    });
  }

  /** Closes the connection; QEMU keeps running. */
  async disconnect(): Promise<void> {
    this.#socket.end();
    this.#socket.destroy();
    await this.closed;
  }

  #dispatch(message: QmpMessage): void {
    if (message.kind === 'event') {
      for (const listener of [...this.#listeners]) listener(message);
      return;
    }
    if (message.kind === 'greeting' || message.id === undefined) return;
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    if (message.kind === 'return') pending.resolve(message.value);
    else pending.reject(new QmpCommandError(pending.command, message.errorClass, message.desc));
  }

  #onClose(): void {
    this.#connected = false;
    for (const pending of [...this.#pending.values()]) pending.reject(new QmpDisconnected(this.socketPath));
  }
}
