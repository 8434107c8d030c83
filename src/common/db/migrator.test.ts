import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Generated, Kysely, Migration } from 'kysely';
import { DIALECTS, unavailable, withOpenDatabase, withTestDatabase } from '../../../test/support/databases.js';
import { migrateToLatest, MigrationFailed, migrationStatus, type ServiceMigrations } from './migrator.js';

const createWidgets: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('widgets')
      .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
      .addColumn('name', 'varchar(64)', (col) => col.notNull())
      .execute();
  },
};

const addColour: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('widgets').addColumn('colour', 'varchar(16)').execute();
  },
};

const addSize: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('widgets').addColumn('size', 'integer').execute();
  },
};

const broken: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('no_such_table').addColumn('x', 'integer').execute();
  },
};

const widgets: ServiceMigrations = {
  name: 'widgets',
  migrations: { '2026-01-01-widgets': createWidgets, '2026-01-02-colour': addColour },
};

for (const dialect of DIALECTS) {
  describe(`migrator on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('applies pending migrations in order, then nothing on a second run', () =>
      withTestDatabase(dialect, (url) =>
        withOpenDatabase(url, async (db) => {
          assert.deepEqual(await migrationStatus(db, widgets), {
            applied: [],
            pending: ['2026-01-01-widgets', '2026-01-02-colour'],
          });
          assert.deepEqual(await migrateToLatest(db, widgets), ['2026-01-01-widgets', '2026-01-02-colour']);
          assert.deepEqual(await migrateToLatest(db, widgets), []);
          assert.deepEqual(await migrationStatus(db, widgets), {
            applied: ['2026-01-01-widgets', '2026-01-02-colour'],
            pending: [],
          });
          const rows = await db.kysely
            .withTables<{ widgets: { id: Generated<number>; name: string; colour: string | null } }>()
            .insertInto('widgets')
            .values({ name: 'w', colour: 'red' })
            .execute();
          assert.equal(rows.length, 1);
        }),
      ));

    test('a history the code does not know is still refused, and a new migration still applied', () =>
      withTestDatabase(dialect, (url) =>
        withOpenDatabase(url, async (db) => {
          await migrateToLatest(db, widgets);
          const older: ServiceMigrations = { name: 'widgets', migrations: { '2026-01-01-widgets': createWidgets } };
          await assert.rejects(migrateToLatest(db, older), MigrationFailed);
          const newer: ServiceMigrations = { name: 'widgets', migrations: { ...widgets.migrations, '2026-01-03-size': addSize } };
          assert.deepEqual(await migrateToLatest(db, newer), ['2026-01-03-size']);
          assert.deepEqual(await migrateToLatest(db, newer), []);
        }),
      ));

    test('each service keeps its own history', () =>
      withTestDatabase(dialect, (url) =>
        withOpenDatabase(url, async (db) => {
          await migrateToLatest(db, { name: 'first', migrations: { '2026-01-01-widgets': createWidgets } });
          const second: ServiceMigrations = { name: 'second', migrations: { '2026-01-01-colour': addColour } };
          assert.deepEqual((await migrationStatus(db, second)).pending, ['2026-01-01-colour']);
          assert.deepEqual(await migrateToLatest(db, second), ['2026-01-01-colour']);
        }),
      ));

    test('a failing migration is named; the run rolls back where DDL is transactional', () =>
      withTestDatabase(dialect, (url) =>
        withOpenDatabase(url, async (db) => {
          const failing: ServiceMigrations = {
            name: 'failing',
            migrations: { '2026-01-01-widgets': createWidgets, '2026-01-02-broken': broken },
          };
          await assert.rejects(migrateToLatest(db, failing), (error: unknown) => {
            assert.ok(error instanceof MigrationFailed);
            assert.equal(error.migration, '2026-01-02-broken');
            assert.match(error.message, /^Migration failing\/2026-01-02-broken failed: /);
            return true;
          });
          const before = ['2026-01-01-widgets'];
          assert.deepEqual(
            await migrationStatus(db, failing),
            db.capabilities.transactionalDdl
              ? { applied: [], pending: [...before, '2026-01-02-broken'] }
              : { applied: before, pending: ['2026-01-02-broken'] },
          );
        }),
      ));
  });
}
