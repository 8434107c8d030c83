import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveMigrationStorage } from './live-migration-checks.js';

test('the storage decides how a live migration goes: auto picks, a choice against the storage is refused as Nova words it', () => {
  assert.deepEqual(liveMigrationStorage('src', true, null), { blockMigration: false });
  assert.deepEqual(liveMigrationStorage('src', false, null), { blockMigration: true });
  assert.deepEqual(liveMigrationStorage('src', true, false), { blockMigration: false });
  assert.deepEqual(liveMigrationStorage('src', false, true), { blockMigration: true });
  assert.deepEqual(liveMigrationStorage('src', true, true), { refused: 'src is not on local storage: Block migration can not be used with shared storage.' });
  assert.deepEqual(liveMigrationStorage('src', false, false), {
    refused: 'src is not on shared storage: Shared storage live-migration requires either shared storage or boot-from-volume with no local disks.',
  });
});
