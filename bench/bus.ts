/**
 * Message bus figures: call round trip (p50/p99) and cast throughput, in-process and on RabbitMQ.
 * Prints one JSON object on stdout. `NIMBUS_BENCH_RABBIT_URL` overrides the broker.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AmqpTransport } from '../src/common/bus/amqp/transport.js';
import { RpcClient, RpcServer, type Transport } from '../src/common/bus/index.js';
import { openTransport } from '../src/cli/presets/transports.js';
import { configureLogging } from '../src/common/logging/logger.js';

const RABBIT_URL = process.env['NIMBUS_BENCH_RABBIT_URL'] ?? 'rabbit://guest:guest@127.0.0.1:5672/';
const WARMUP_CALLS = 200;
const CALLS = 2000;
const CASTS = 20_000;
/** Bounds the wait for the last casts, so a lost message cannot keep the bench running. */
const CAST_DRAIN_LIMIT_MS = 60_000;

interface Figures {
  readonly transport: string;
  readonly calls: number;
  readonly callP50Ms: number;
  readonly callP99Ms: number;
  readonly casts: number;
  readonly castsDelivered: number;
  readonly castMsgsPerSec: number;
}

interface Skipped {
  readonly transport: string;
  readonly skipped: string;
}

// stdout carries the figures; stderr only what went wrong.
configureLogging({
  sink: (line, record) => {
    if (record.level !== 'DEBUG' && record.level !== 'INFO') process.stderr.write(line + '\n');
  },
});

function percentile(sorted: readonly number[], fraction: number): number {
  const value = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN;
  return Math.round(value * 1000) / 1000;
}

async function measure(name: string, open: () => Transport): Promise<Figures> {
  const serverSide = open();
  const clientSide = open();
  await serverSide.connect();
  await clientSide.connect();
  const topic = `bench_${randomUUID().slice(0, 8)}`;
  let received = 0;
  let allReceived: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  const server = new RpcServer(serverSide, { topic, server: 'bench', version: '1.0' }, {
    echo: (args: { n: number }) => args.n,
    count: () => {
      if (++received === CASTS) allReceived();
    },
  });
  await server.start();
  const client = new RpcClient(clientSide, { topic, version: '1.0', timeoutSeconds: 30 });
  try {
    for (let n = 0; n < WARMUP_CALLS; n++) await client.call('echo', { n });
    const latencies: number[] = [];
    for (let n = 0; n < CALLS; n++) {
      const startedAt = performance.now();
      await client.call('echo', { n });
      latencies.push(performance.now() - startedAt);
    }
    latencies.sort((a, b) => a - b);

    const castStart = performance.now();
    for (let n = 0; n < CASTS; n++) await client.cast('count', { n });
    let limit: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((resolve) => (limit = setTimeout(resolve, CAST_DRAIN_LIMIT_MS)))]);
    clearTimeout(limit);
    const castSeconds = (performance.now() - castStart) / 1000;

    return {
      transport: name,
      calls: CALLS,
      callP50Ms: percentile(latencies, 0.5),
      callP99Ms: percentile(latencies, 0.99),
      casts: CASTS,
      castsDelivered: received,
      castMsgsPerSec: Math.round(received / castSeconds),
    };
  } finally {
    await server.stop();
    await clientSide.close();
    await serverSide.close();
  }
}

async function rabbitFigures(): Promise<Figures | Skipped> {
  const open = (): Transport => new AmqpTransport(RABBIT_URL, { queueExpiresMs: 5000, connectionName: 'nimbus-bench-bus' });
  const probe = open();
  try {
    await probe.connect();
  } catch (error) {
    return { transport: 'amqp', skipped: error instanceof Error ? error.message : String(error) };
  } finally {
    await probe.close();
  }
  return measure('amqp', open);
}

const inprocUrl = `inproc://bench-${randomUUID()}`;
const results = [await measure('inproc', () => openTransport(inprocUrl, { command: 'bench', host: 'bench' })), await rabbitFigures()];
process.stdout.write(JSON.stringify({ bench: 'bus', node: process.version, results }, null, 2) + '\n');
