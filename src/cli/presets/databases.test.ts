import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { DIALECTS, unavailable, withOpenDatabase, withTestDatabase } from '../../../test/support/databases.js';
import { sqlitePath } from '../../common/db/dialects/sqlite/sqlite-dialect.js';
import { StartupError } from '../../common/errors/errors.js';
import { openDatabase } from './databases.js';

describe('openDatabase on sqlite files', () => {
  test('creates the parent directory and turns on WAL and foreign keys', () =>
    withTestDatabase('sqlite', (url) =>
      withOpenDatabase(url, async (db) => {
        assert.equal(existsSync(sqlitePath(url)), true);
        const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db.kysely);
        assert.equal(mode.rows[0]?.journal_mode, 'wal');
        const keys = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db.kysely);
        assert.equal(keys.rows[0]?.foreign_keys, 1);
      }),
    ));
});

describe('openDatabase failures', () => {
  const refused: ReadonlyArray<[string, string]> = [
    ['postgresql://nova:Sup3rSecret@127.0.0.1:1/nova', 'postgresql://nova:***@127.0.0.1:1/nova'],
    ['mysql+pymysql://nova:Sup3rSecret@127.0.0.1:1/nova', 'mysql+pymysql://nova:***@127.0.0.1:1/nova'],
  ];
  for (const [url, shown] of refused) {
    test(`an unreachable server is a one-line StartupError without the password: ${shown}`, async () => {
      const error = await openDatabase(url).catch((e: unknown) => e);
      assert.ok(error instanceof StartupError, String(error));
      assert.ok(error.message.startsWith(`Cannot connect to database ${shown}: `), error.message);
      assert.ok(!error.message.includes('Sup3rSecret'));
      assert.ok(!error.message.includes('\n'));
    });
  }

  test('an unknown scheme is a StartupError', async () => {
    await assert.rejects(openDatabase('oracle://u:pw@h/db'), (error: unknown) => {
      assert.ok(error instanceof StartupError);
      assert.match(error.message, /^Unsupported database URL oracle:\/\/u:\*\*\*@h\/db/);
      return true;
    });
  });

  test('a sqlite file that cannot be created is a StartupError', () =>
    withTestDatabase('sqlite', async (url) => {
      // The state dir's path names a regular file.
      const file = dirname(dirname(sqlitePath(url)));
      await writeFile(join(file, 'state'), '');
      await assert.rejects(openDatabase(url), (error: unknown) => {
        assert.ok(error instanceof StartupError);
        assert.ok(error.message.startsWith(`Cannot connect to database ${url}: `), error.message);
        return true;
      });
    }));
});

for (const dialect of DIALECTS.filter((name) => name !== 'sqlite')) {
  describe(`openDatabase failures on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('a missing database is a StartupError naming it', () =>
      withTestDatabase(dialect, async (url) => {
        const missing = url.replace(/nimbus_test_\w+/, 'nimbus_missing_db');
        await assert.rejects(openDatabase(missing), (error: unknown) => {
          assert.ok(error instanceof StartupError);
          assert.match(error.message, /nimbus_missing_db/);
          return true;
        });
      }),
    );
  });
}
