/**
 * HTTP framework figures: requests/s and latency of Nova's version document (GET /compute/)
 * through the whole stack (request context, microversions if enabled, access log, faults).
 * Prints one JSON object on stdout. `NIMBUS_BENCH_DURATION_S` and `NIMBUS_BENCH_CONNECTIONS`
 * override the defaults (10 s, 50 connections).
 */
import { createRequire } from 'node:module';
import { buildHttpApp } from '../src/common/http/app.js';
import { configureLogging } from '../src/common/logging/logger.js';
import { COMPUTE_MAX_VERSION, COMPUTE_MIN_VERSION, computeVersionRoutes } from '../src/compute/api/versions.js';

const DURATION_S = Number(process.env['NIMBUS_BENCH_DURATION_S'] ?? 10);
const CONNECTIONS = Number(process.env['NIMBUS_BENCH_CONNECTIONS'] ?? 50);
const ROUTE = '/compute/';
/** Seconds of load before measuring, so the figures are of JIT-compiled code. */
const WARMUP_S = 2;

/** The part of autocannon's programmatic API used here (it ships no type declarations). */
interface LatencyHistogram {
  readonly average: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

interface AutocannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: LatencyHistogram;
  readonly throughput: { readonly average: number };
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  workers: number;
  warmup: { connections: number; duration: number };
}) => PromiseLike<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

async function main(): Promise<void> {
  // Access lines are still formatted, only not written: the figure is the framework, not the terminal.
  // The count includes the warm-up's requests.
  let logLines = 0;
  configureLogging({ sink: () => (logLines += 1) });

  let publicUrl = 'http://127.0.0.1';
  const app = buildHttpApp({
    services: [
      {
        name: 'compute',
        prefix: '/compute',
        faultFormat: 'nova',
        requestIdHeaders: ['x-compute-request-id'],
        microversions: { serviceType: 'compute', legacyHeader: 'X-OpenStack-Nova-API-Version', min: COMPUTE_MIN_VERSION, max: COMPUTE_MAX_VERSION },
        routes: computeVersionRoutes({
          get publicUrl() {
            return publicUrl;
          },
        }),
      },
    ],
    maxBodyBytes: 1024 * 1024,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('The listener has no TCP address');
  publicUrl = `http://127.0.0.1:${address.port}`;

  try {
    // The load generator runs in a worker thread so it does not share the server's event loop.
    const result = await autocannon({
      url: `${publicUrl}${ROUTE}`,
      connections: CONNECTIONS,
      duration: DURATION_S,
      workers: 1,
      warmup: { connections: CONNECTIONS, duration: WARMUP_S },
    });
    const figures = {
      benchmark: 'http',
      route: `GET ${ROUTE}`,
      connections: CONNECTIONS,
      duration_s: DURATION_S,
      requests_total: result.requests.total,
      requests_per_sec: Math.round(result.requests.average),
      latency_avg_ms: result.latency.average,
      latency_p50_ms: result.latency.p50,
      latency_p90_ms: result.latency.p90,
      latency_p99_ms: result.latency.p99,
      latency_max_ms: result.latency.max,
      throughput_bytes_per_sec: Math.round(result.throughput.average),
      errors: result.errors,
      timeouts: result.timeouts,
      non_2xx: result.non2xx,
      access_log_lines: logLines,
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await app.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
