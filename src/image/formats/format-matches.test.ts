import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMatches } from './format-matches.js';
import { DISK_FORMATS, type DiskFormat } from './inspector.js';

const HEADERED: readonly DiskFormat[] = ['qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi'];

test('raw-like declarations accept plain bytes or an ISO, never a format with headers', () => {
  for (const declared of ['raw', 'ami', 'ari', 'aki', 'ploop'] as const) {
    assert.equal(formatMatches(declared, 'raw'), true, declared);
    assert.equal(formatMatches(declared, 'iso'), true, declared);
    for (const detected of HEADERED) assert.equal(formatMatches(declared, detected), false, `${declared} holding ${detected}`);
  }
});

test('iso accepts iso or raw content', () => {
  assert.equal(formatMatches('iso', 'iso'), true);
  assert.equal(formatMatches('iso', 'raw'), true);
  for (const detected of HEADERED) assert.equal(formatMatches('iso', detected), false, detected);
});

test('formats with headers must match exactly', () => {
  for (const declared of HEADERED) {
    for (const detected of DISK_FORMATS) assert.equal(formatMatches(declared, detected), declared === detected, `${declared} holding ${detected}`);
  }
});
