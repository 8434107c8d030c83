import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled CLI entry point (tests run from dist/). */
export const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface NimbusProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves when `pattern` has appeared in the output; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or signal name). */
  exited(): Promise<number | string>;
}

let clouds = 0;

/**
 * Runs `nimbus <args>` as a child process, the way a user would. Each gets nftables tables of its
 * own, so clouds of tests running side by side never touch each other's security groups.
 */
export function runNimbus(args: readonly string[], env: NodeJS.ProcessEnv = {}): NimbusProcess {
  clouds += 1;
  const child = spawn(process.execPath, [CLI_MAIN, ...args], {
    env: { ...process.env, NIMBUS_CONFIG: '/dev/null', NIMBUS_NETWORK_NFT_TABLE: `nimbus_t${process.pid}_${clouds}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );

  return {
    child,
    output: () => text,
    exited: () => exit,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(text)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${text}`));
        }, timeoutMs);
        const onExit = (code: number | string) => {
          cleanup();
          if (pattern.test(text)) resolve();
          else reject(new Error(`nimbus exited (${code}) before ${pattern}; output:\n${text}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exit.then(onExit);
        check();
      });
    },
  };
}
