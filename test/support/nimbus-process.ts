import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled CLI entry point (tests run from dist/). */
export const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** The `./nimbus` launcher users run: its set-up check, then the CLI's bundle (scripts/build-cli-bundle.mjs). */
const LAUNCHER = fileURLToPath(new URL('../../../nimbus', import.meta.url));

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
 * Runs `nimbus <args>` as a child process, the way a user would (under `wrapper`, if given). Each gets nftables tables of its
 * own, so clouds of tests running side by side never touch each other's security groups. With
 * `launcher`, through `./nimbus` rather than node and the compiled CLI; `nodeArgs` are node's own flags (not via the launcher).
 */
export function runNimbus(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: { readonly wrapper?: readonly string[]; readonly launcher?: boolean; readonly nodeArgs?: readonly string[] } = {},
): NimbusProcess {
  clouds += 1;
  // A wrapper command (setpriv dropping a capability) runs node in turn.
  const node = options.launcher === true ? [LAUNCHER] : [process.execPath, ...(options.nodeArgs ?? []), CLI_MAIN];
  const [command = process.execPath, ...prefix] = [...(options.wrapper ?? []), ...node];
  const child = spawn(command, [...prefix, ...args], {
    // Nova's metadata port (8775) is one per host: clouds started side by side take any free one.
    env: {
      ...process.env,
      NIMBUS_CONFIG: '/dev/null',
      NIMBUS_NETWORK_NFT_TABLE: `nimbus_t${process.pid}_${clouds}`,
      NIMBUS_API_METADATA_LISTEN_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watchProcess(child);
}

/** Collects a child process's output to wait on, as `runNimbus` does for the CLI (for a test's own script). */
export function watchProcess(child: ChildProcess): NimbusProcess {
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
    // Generous: a machine running two test files beside QEMU guests can take tens of seconds to start a cloud.
    waitFor(pattern, timeoutMs = 60_000) {
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
