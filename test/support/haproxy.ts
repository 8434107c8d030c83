/**
 * docs/deploy/haproxy.cfg, the documented front of two API nodes, run as it is written with its
 * addresses replaced by loopback ports: the test proves the file users copy.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONFIG = fileURLToPath(new URL('../../../docs/deploy/haproxy.cfg', import.meta.url));

/** Why HAProxy tests must be skipped (printed loudly), or false when `haproxy` runs. */
export function haproxyUnavailable(): string | false {
  if (spawnSync('haproxy', ['-v']).status === 0) return false;
  const reason = 'haproxy is not installed (apt-get install haproxy), its tests are SKIPPED';
  process.stderr.write(`\n*** ${reason}\n\n`);
  return reason;
}

export interface ApiFront {
  readonly url: string;
  /** Everything HAProxy wrote. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts HAProxy on `port` in front of `backends` (name → port), in the order the file lists its servers. */
export function startApiFront(port: number, backends: readonly (readonly [name: string, port: number])[]): ApiFront {
  let servers = 0;
  const config = readFileSync(CONFIG, 'utf8')
    .replace(/^(\s*bind )\S+$/m, `$1127.0.0.1:${port}`)
    .replace(/^(\s*server )\S+ \S+$/gm, (line, prefix: string) => {
      const backend = backends[servers++];
      if (!backend) throw new Error(`${CONFIG} lists more servers than the test runs`);
      return `${prefix}${backend[0]} 127.0.0.1:${backend[1]}`;
    });
  if (servers !== backends.length) throw new Error(`${CONFIG} lists ${servers} servers, the test runs ${backends.length}`);
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => text,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
