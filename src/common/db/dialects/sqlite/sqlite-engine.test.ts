import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { engineSkipReason, openTestDatabase } from '../../../../../test/support/databases.js';
import { describeDatabaseEngineContract } from '../../engine.contract.js';

describeDatabaseEngineContract('sqlite', () => openTestDatabase('sqlite'), { unavailable: await engineSkipReason('sqlite') });

describe('sqlite under a chain of awaited queries', { skip: await engineSkipReason('sqlite') }, () => {
  // better-sqlite3 answers synchronously: without turns, an async chain of queries would keep the
  // event loop from accepting connections or firing timers until the whole chain had run.
  test('the event loop gets its turns while one chain of queries runs on', async () => {
    const opened = await openTestDatabase('sqlite');
    const { db } = opened;
    try {
      let turns = 0;
      const timer = setInterval(() => (turns += 1), 1);
      const started = performance.now();
      while (performance.now() - started < 200) await sql`select 1`.execute(db.kysely);
      clearInterval(timer);
      assert.ok(turns > 0, 'a 1 ms timer never fired during 200 ms of queries');
    } finally {
      await opened.dispose();
    }
  });
});
