import { execFile } from 'node:child_process';

/** A command that exited non-zero: its stderr is the useful part of the message. */
export class CommandFailed extends Error {
  readonly stderr: string;

  constructor(command: string, args: readonly string[], stderr: string, cause: unknown) {
    const detail = stderr.trim() === '' ? String(cause) : stderr.trim();
    super(`${command} ${args.join(' ')}: ${detail}`, { cause });
    this.stderr = stderr;
  }
}

/** Runs a command to completion and returns its stdout; a failure carries its stderr. */
export function runCommand(command: string, args: readonly string[], options: { readonly env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024, env: options.env ?? process.env }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new CommandFailed(command, args, stderr, error));
    });
  });
}
