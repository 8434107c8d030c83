import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

const OPENSTACK = '/usr/bin/openstack';

/** Why tests of the real `openstack` CLI must be skipped, or false when it is installed. */
export function openstackCliUnavailable(): string | false {
  if (existsSync(OPENSTACK)) return false;
  const reason = `${OPENSTACK} not installed (apt-get install python3-openstackclient): CLI tests are SKIPPED`;
  process.stderr.write(`\n*** ${reason}\n\n`);
  return reason;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Credentials as the OS_* variables an openrc file exports. */
export type OpenstackEnv = Readonly<Record<string, string>>;

/** Runs `openstack <args>` with only the given OS_* environment (nothing leaks from the host's). */
export function openstack(env: OpenstackEnv, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      OPENSTACK,
      args,
      { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs `openstack <args>` and asserts it succeeded, the CLI's stderr in the message. */
export async function openstackOk(env: OpenstackEnv, args: readonly string[]): Promise<CliResult> {
  const result = await openstack(env, args);
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  return result;
}

/** `openstack <args> -f json`, parsed; a non-zero exit fails with the CLI's own words. */
export async function openstackJson<T>(env: OpenstackEnv, args: readonly string[]): Promise<T> {
  const result = await openstack(env, [...args, '-f', 'json']);
  if (result.code !== 0) throw new Error(`openstack ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Parses an admin-openrc (`export OS_X='value'` lines) into an environment. */
export function parseOpenrc(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^export (OS_[A-Z_]+)=(?:'([^']*)'|(\S*))$/.exec(line);
    if (match?.[1] !== undefined) env[match[1]] = match[2] ?? match[3] ?? '';
  }
  return env;
}
