import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { withOpenDatabase } from '../../../../../test/support/databases.js';
import { StatementCache, type Reusable } from './statement-cache.js';

type Rows = { flags: { id: number; enabled: boolean; later?: boolean } };

describe('SQLite statements reused by SQL text', () => {
  test('a table changed by DDL reads back with its new boolean column', () =>
    withOpenDatabase('sqlite://', async (db) => {
      await sql`create table flags (id integer primary key, enabled boolean not null)`.execute(db.kysely);
      const flags = db.kysely.withTables<Rows>();
      await flags.insertInto('flags').values({ id: 1, enabled: true }).execute();
      const all = () => flags.selectFrom('flags').selectAll().orderBy('id').execute();
      assert.deepEqual(await all(), [{ id: 1, enabled: true }]);
      await sql`alter table flags add column later boolean not null default 1`.execute(db.kysely);
      assert.deepEqual(await all(), [{ id: 1, enabled: true, later: true }]);
    }));

  test('a statement still being iterated is not handed out again', () => {
    const cache = new StatementCache<{ busy: boolean }>(() => ({ busy: false }));
    const first = cache.get('select 1');
    first.busy = true;
    assert.notEqual(cache.get('select 1'), first);
    first.busy = false;
    assert.equal(cache.get('select 1'), first);
  });

  test('keeps the most recently used statements up to its capacity', () => {
    let prepared = 0;
    const cache = new StatementCache<Reusable & { sql: string }>((text) => ((prepared += 1), { sql: text, busy: false }), 2);
    cache.get('a');
    cache.get('b');
    cache.get('a');
    cache.get('c');
    assert.equal(prepared, 3);
    cache.get('a');
    assert.equal(prepared, 3, 'a was used recently and stayed');
    cache.get('b');
    assert.equal(prepared, 4, 'b was the least recently used and went');
  });
});
