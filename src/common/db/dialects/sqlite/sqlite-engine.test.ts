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

  // Many requests and workers in flight: a turn must not run one step of every waiting chain, or
  // it grows with their number and a new connection waits that long to be accepted.
  test('a turn of the event loop runs only a slice of many waiting chains', async () => {
    const opened = await openTestDatabase('sqlite');
    const { db } = opened;
    try {
      let stepsThisTurn = 0;
      let mostStepsInATurn = 0;
      let counting = true;
      const countTurns = () => {
        mostStepsInATurn = Math.max(mostStepsInATurn, stepsThisTurn);
        stepsThisTurn = 0;
        if (counting) setImmediate(countTurns);
      };
      setImmediate(countTurns);
      const chain = async () => {
        for (let step = 0; step < 5; step++) {
          await sql`select 1`.execute(db.kysely);
          const started = performance.now();
          while (performance.now() - started < 1);
          stepsThisTurn += 1;
        }
      };
      await Promise.all(Array.from({ length: 100 }, chain));
      counting = false;
      assert.ok(mostStepsInATurn < 30, `one turn ran ${mostStepsInATurn} steps of 1 ms`);
    } finally {
      await opened.dispose();
    }
  });
});

describe('sqlite rows (sqlite-booleans.ts builds them from raw arrays)', { skip: await engineSkipReason('sqlite') }, () => {
  test('keep better-sqlite3 row shapes: column order, a repeated name in its first place with the last value, booleans in streams too', async () => {
    const opened = await openTestDatabase('sqlite');
    const { db } = opened;
    try {
      await sql`create table shapes (id integer primary key, enabled boolean not null, note text)`.execute(db.kysely);
      await sql`insert into shapes values (1, 1, 'a'), (2, 0, null)`.execute(db.kysely);
      const { rows } = await sql<Record<string, unknown>>`select note, id, enabled, id * 10 as id from shapes order by 2`.execute(db.kysely);
      assert.deepEqual(rows, [
        { note: 'a', id: 10, enabled: true },
        { note: null, id: 20, enabled: false },
      ]);
      assert.deepEqual(rows.map((row) => Object.keys(row)), [['note', 'id', 'enabled'], ['note', 'id', 'enabled']]);
      const streamed: unknown[] = [];
      for await (const row of db.kysely.withTables<{ shapes: { id: number; enabled: boolean; note: string | null } }>().selectFrom('shapes').select(['id', 'enabled']).orderBy('id').stream()) streamed.push(row);
      assert.deepEqual(streamed, [
        { id: 1, enabled: true },
        { id: 2, enabled: false },
      ]);
    } finally {
      await opened.dispose();
    }
  });
});
