/**
 * Identity figures: password token issue and token validate over HTTP against a real
 * `nimbus up` (child process, fresh state dir), sequential and with 10 requests in flight.
 * Prints one JSON object. Reference on this machine kind (Keystone Zed, uwsgi 2 workers, Fernet,
 * bcrypt): issue p50 562 ms, validate p50 146 ms.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './support/latency.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const PORT = Number(process.env['NIMBUS_BENCH_PORT'] ?? 18790);

function adminPassword(stateDir: string): string {
  const openrc = readFileSync(join(stateDir, 'admin-openrc'), 'utf8');
  return /^export OS_PASSWORD='([^']*)'$/m.exec(openrc)?.[1] ?? '';
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-identity-'));
  const child = spawn(process.execPath, [CLI, 'up', '--state-dir', stateDir, '--port', String(PORT), '--driver', 'fake'], {
    env: { ...process.env, NIMBUS_CONFIG: '/dev/null' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('is running') && resolve());
      child.once('exit', (code) => reject(new Error(`nimbus up exited ${code}`)));
    });
    const base = `http://127.0.0.1:${PORT}/identity/v3`;
    const body = JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'admin', domain: { name: 'Default' }, password: adminPassword(stateDir) } } },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    });
    const issue = async (): Promise<string> => {
      const response = await fetch(`${base}/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await response.arrayBuffer();
      if (response.status !== 201) throw new Error(`issue answered ${response.status}`);
      return response.headers.get('x-subject-token') ?? '';
    };
    const token = await issue();
    const validate = async () => {
      const response = await fetch(`${base}/auth/tokens`, { headers: { 'x-auth-token': token, 'x-subject-token': token } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`validate answered ${response.status}`);
    };
    await measure(200, 1, validate); // warm-up
    const figures = {
      bench: 'identity',
      token_length: token.length,
      issue_sequential: await measure(40, 1, async () => void (await issue())),
      issue_concurrent_10: await measure(80, 10, async () => void (await issue())),
      validate_sequential: await measure(3000, 1, validate),
      validate_concurrent_10: await measure(10000, 10, validate),
      reference_keystone_zed: { issue_p50_ms: 562, validate_p50_ms: 146 },
    };
    process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();
