/** Latency figures of a run of timed operations, as the benches print them. */
export interface LatencyFigures {
  readonly count: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly requests_per_sec: number;
}

/** The value at `fraction` (0–1) of ascending `sorted` samples (nearest rank). */
export function percentile(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/**
 * Runs `operation` `count` times with `concurrency` in flight and reports its latency. A failed
 * operation aborts the run: a figure over failures would mislead.
 */
export async function measure(count: number, concurrency: number, operation: () => Promise<void>): Promise<LatencyFigures> {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next += 1;
      const t0 = performance.now();
      await operation();
      samples.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return figuresOf(samples, (performance.now() - started) / 1000);
}

/** The figures of latency samples (ms) taken over `elapsedS` seconds. */
export function figuresOf(samples: readonly number[], elapsedS: number): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50_ms: round(percentile(sorted, 0.5)),
    p99_ms: round(percentile(sorted, 0.99)),
    requests_per_sec: Math.round(sorted.length / elapsedS),
  };
}
