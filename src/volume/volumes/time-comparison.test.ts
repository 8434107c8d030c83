import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIsoTime, parseTimeComparison } from './time-comparison.js';

test("parseIsoTime reads what oslo's parse_isotime reads, a time without a zone as UTC, and refuses the rest", () => {
  assert.equal(parseIsoTime('2026-01-01T00:00:00')?.toISOString(), '2026-01-01T00:00:00.000Z');
  assert.equal(parseIsoTime('2026-01-01')?.toISOString(), '2026-01-01T00:00:00.000Z');
  assert.equal(parseIsoTime('2026-01-01 10:20:30.123456')?.toISOString(), '2026-01-01T10:20:30.123Z');
  assert.equal(parseIsoTime('2026-01-01T10:20:30Z')?.toISOString(), '2026-01-01T10:20:30.000Z');
  assert.equal(parseIsoTime('2026-01-01T10:20:30+02:00')?.toISOString(), '2026-01-01T08:20:30.000Z');
  assert.equal(parseIsoTime('2026-01-01T10:20-0130')?.toISOString(), '2026-01-01T11:50:00.000Z');
  for (const bad of ['', 'yesterday', '2026-13-01', '2026-02-30', '2026-01-01T25:00:00', '2026-01-01T10:61', '2026/01/01', '1767225600']) {
    assert.equal(parseIsoTime(bad), undefined, bad);
  }
});

test('a comparison filter: any of its units holds (Cinder ORs them), a later unit replaces one of the same operator, null never matches', () => {
  const at = (text: string) => new Date(text);
  const between = parseTimeComparison('gt:2026-01-01T00:00:00,lt:2025-01-01T00:00:00');
  assert.equal(between(at('2026-06-01T00:00:00Z')), true);
  assert.equal(between(at('2024-06-01T00:00:00Z')), true);
  assert.equal(between(at('2025-06-01T00:00:00Z')), false);
  assert.equal(between(null), false);
  const exactly = parseTimeComparison('eq:2026-01-01T00:00:00.5');
  assert.equal(exactly(at('2026-01-01T00:00:00.500Z')), true);
  assert.equal(parseTimeComparison('neq:2026-01-01')(at('2026-01-01T00:00:00Z')), false);
  assert.equal(parseTimeComparison('gte:2026-01-01,gte:2027-01-01')(at('2026-06-01T00:00:00Z')), false, 'the second gte replaced the first');
  assert.equal(parseTimeComparison('lte:2026-01-01T00:00:00')(at('2026-01-01T00:00:00Z')), true);

  assert.throws(() => parseTimeComparison('after:2026-01-01'), { status: 400, message: 'Invalid after operator' });
  assert.throws(() => parseTimeComparison('gt:soon'), { status: 400, message: 'Invalid soon value' });
  assert.throws(() => parseTimeComparison('gt'), { status: 400, message: 'Invalid gt value' });
  assert.throws(() => parseTimeComparison(''), { status: 400, message: 'Invalid  operator' });
});
