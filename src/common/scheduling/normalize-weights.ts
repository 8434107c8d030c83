/**
 * Scales `weights[0..count)` in place to 0..1 between their min and max (nova/weights.py
 * normalize); all equal → all 0. Works on a reused buffer so a decision allocates nothing per host.
 */
export function normalizeInPlace(weights: Float64Array, count: number): void {
  if (count === 0) return;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i += 1) {
    const w = weights[i] ?? 0;
    if (w < min) min = w;
    if (w > max) max = w;
  }
  const range = max - min;
  for (let i = 0; i < count; i += 1) weights[i] = range === 0 ? 0 : ((weights[i] ?? 0) - min) / range;
}
