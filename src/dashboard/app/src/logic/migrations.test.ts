import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { migrationBody, migrationsFor } from './migrations.js';

describe('admin moves of a server', () => {
  test('each status offers the moves Nova accepts in it', () => {
    assert.deepEqual(migrationsFor('ACTIVE'), ['live-migrate', 'migrate']);
    assert.deepEqual(migrationsFor('PAUSED'), ['live-migrate']);
    assert.deepEqual(migrationsFor('SHUTOFF'), ['migrate']);
    assert.deepEqual(migrationsFor('VERIFY_RESIZE'), ['confirm-migration', 'revert-migration']);
    for (const status of ['BUILD', 'MIGRATING', 'RESIZE', 'ERROR', 'SHELVED_OFFLOADED']) assert.deepEqual(migrationsFor(status), [], status);
  });

  test('an empty host leaves the choice to the scheduler; a named one is sent', () => {
    assert.deepEqual(migrationBody('live-migrate', ''), { 'os-migrateLive': { host: null, block_migration: 'auto' } });
    assert.deepEqual(migrationBody('live-migrate', 'h2'), { 'os-migrateLive': { host: 'h2', block_migration: 'auto' } });
    assert.deepEqual(migrationBody('migrate', ''), { migrate: null });
    assert.deepEqual(migrationBody('migrate', 'h2'), { migrate: { host: 'h2' } });
    assert.deepEqual(migrationBody('confirm-migration', 'ignored'), { confirmResize: null });
    assert.deepEqual(migrationBody('revert-migration', ''), { revertResize: null });
  });
});
