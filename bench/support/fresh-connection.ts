/**
 * Requests on a connection of their own, as a client that keeps none open (curl, a CLI run, a
 * health check): each one pays for TCP set-up and for the server accepting it, which a
 * keep-alive pool hides.
 */
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { figuresOf, type LatencyFigures } from './latency.js';

/** GET `url` on a new connection (closed after the answer); resolves with the status once the body is read. */
export function getOnNewConnection(url: string, headers: Readonly<Record<string, string>> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { agent: false, headers: { ...headers, connection: 'close' } }, (response) => {
      response.on('data', () => undefined);
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end();
  });
}

/** A run of timed GETs each on a new connection, one at a time; any answer but `status` aborts the run. */
export async function measureNewConnections(count: number, url: string, headers: Readonly<Record<string, string>>, status: number): Promise<LatencyFigures> {
  const samples: number[] = [];
  const started = performance.now();
  for (let n = 0; n < count; n += 1) {
    const t0 = performance.now();
    const answered = await getOnNewConnection(url, headers);
    samples.push(performance.now() - t0);
    if (answered !== status) throw new Error(`GET ${url} answered ${answered}`);
  }
  return figuresOf(samples, (performance.now() - started) / 1000);
}

/** Latency figures of a probe, with its worst sample (the stall a user would notice). */
export interface ProbeFigures extends LatencyFigures {
  readonly max_ms: number;
}

/**
 * Probes `url` on a new connection every `intervalMs` (one probe in flight at a time) until
 * stopped: what a fresh client waits while the server is busy with other work.
 */
export function probeNewConnections(url: string, intervalMs: number): { stop(): Promise<ProbeFigures> } {
  const samples: number[] = [];
  const started = performance.now();
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await getOnNewConnection(url);
      samples.push(performance.now() - t0);
      await sleep(intervalMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { ...figuresOf(samples, (performance.now() - started) / 1000), max_ms: Math.round(Math.max(0, ...samples) * 1000) / 1000 };
    },
  };
}
