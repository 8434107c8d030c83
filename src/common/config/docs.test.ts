import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderConfigDocs } from './docs.js';

test('docs/CONFIG.md matches the option table (regenerate: ./nimbus config-docs > docs/CONFIG.md)', () => {
  const committed = readFileSync(new URL('../../../../docs/CONFIG.md', import.meta.url), 'utf8');
  assert.equal(committed, renderConfigDocs());
});
