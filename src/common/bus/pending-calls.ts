import { MessagingTimeout } from './errors.js';
import type { Reply, Target } from './transport.js';

/** What a transport knows about a call waiting for its reply. */
export interface PendingCall {
  readonly target: Target;
  readonly method: string;
  readonly startedAt: number;
  /** The whole budget of the call, counted from `startedAt`. */
  readonly timeoutMs: number;
}

interface Entry {
  readonly call: PendingCall;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Calls waiting for their reply, by correlation id, each with its own timeout. */
export class PendingCalls {
  private readonly entries = new Map<string, Entry>();

  /** Waits for the reply of call `id`; rejects with MessagingTimeout when the call's budget runs out. */
  wait(id: string, call: PendingCall): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.entries.delete(id);
        reject(MessagingTimeout.noReply(call.target, call.method, call.timeoutMs));
      }, Math.max(0, call.startedAt + call.timeoutMs - Date.now()));
      this.entries.set(id, { call, resolve, reject, timer });
    });
  }

  /** Delivers a reply; false when nobody waits for it any more (timed out, or never ours). */
  settle(id: string, reply: Reply): boolean {
    const entry = this.take(id);
    entry?.resolve(reply);
    return entry !== undefined;
  }

  fail(id: string, error: (call: PendingCall) => Error): void {
    const entry = this.take(id);
    entry?.reject(error(entry.call));
  }

  failAll(error: (call: PendingCall) => Error): void {
    for (const id of [...this.entries.keys()]) this.fail(id, error);
  }

  private take(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.entries.delete(id);
    return entry;
  }
}
