import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeContract, type ContractOptions } from '../../../test/support/contract-suite.js';
import type { Database } from './database.js';
import type { DialectName } from './engine.js';

// The behaviour every database engine adapter shares, whatever the server: each engine's own test
// file (dialects/<name>/<name>-engine.test.ts) calls describeDatabaseEngineContract.

/** A fresh, empty database of the engine under test, open. */
export interface DatabaseEngineHarness {
  readonly db: Database;
  dispose(): Promise<void>;
}

type FlagsTable = { flags: { id: number; enabled: boolean; note: string } };

function casesFor(dialect: DialectName) {
  return {
    'opens, names its dialect and declares capabilities': async ({ db }: DatabaseEngineHarness) => {
      assert.equal(db.dialect, dialect);
      // The flags Kysely also knows agree with its adapter, so its Migrator and our callers see one truth.
      const adapter = db.kysely.getExecutor().adapter;
      assert.equal(db.capabilities.supportsReturning, adapter.supportsReturning);
      assert.equal(db.capabilities.transactionalDdl, adapter.supportsTransactionalDdl);
      assert.equal(typeof db.capabilities.rowLocking, 'boolean');
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db.kysely);
      assert.deepEqual(rows, [{ one: 1 }]);
    },

    'booleans and counts read back as JS booleans and numbers; duplicates are recognised': async ({ db }: DatabaseEngineHarness) => {
      await db.kysely.schema
        .createTable('flags')
        .addColumn('id', 'integer', (col) => col.primaryKey())
        .addColumn('enabled', 'boolean', (col) => col.notNull())
        .addColumn('note', 'varchar(20)', (col) => col.notNull().unique())
        .execute();
      const flags = db.kysely.withTables<FlagsTable>();
      await flags
        .insertInto('flags')
        .values([
          { id: 1, enabled: true, note: 'a' },
          { id: 2, enabled: false, note: 'b' },
        ])
        .execute();
      const rows = await flags.selectFrom('flags').select(['id', 'enabled']).where('enabled', '=', true).execute();
      assert.deepEqual(rows, [{ id: 1, enabled: true }]);
      const count = await flags.selectFrom('flags').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(count.n, 2);
      const duplicate = await flags.insertInto('flags').values({ id: 3, enabled: true, note: 'a' }).execute().catch((e: unknown) => e);
      assert.equal(db.isUniqueViolation(duplicate), true);
      assert.equal(db.isUniqueViolation(new Error('other')), false);
    },
  };
}

export type DatabaseEngineContractTest = keyof ReturnType<typeof casesFor>;

/** The contract every engine adapter meets, on a fresh, empty database per case. */
export function describeDatabaseEngineContract(
  dialect: DialectName,
  create: () => Promise<DatabaseEngineHarness>,
  options?: ContractOptions<DatabaseEngineContractTest>,
): void {
  describeContract(`database engine contract: ${dialect}`, casesFor(dialect), create, options);
}
