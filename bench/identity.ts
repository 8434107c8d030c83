/**
 * Identity figures: password token issue and token validate over HTTP against a real
 * `nimbus up` (child process, fresh state dir), sequential and with 10 requests in flight.
 * Prints one JSON object. Reference on this machine kind (Keystone Zed, uwsgi 2 workers, Fernet,
 * bcrypt): issue p50 562 ms, validate p50 146 ms.
 */
import { startBenchCloud } from './support/bench-cloud.js';
import { measure } from './support/latency.js';

const PORT = Number(process.env['NIMBUS_BENCH_PORT'] ?? 18790);

async function main(): Promise<void> {
  const cloud = await startBenchCloud(PORT, 'identity');
  try {
    const base = `${cloud.url}/identity/v3`;
    const issue = () => cloud.adminToken();
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
    await cloud.stop();
  }
}

await main();
