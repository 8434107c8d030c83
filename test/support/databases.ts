/**
 * Databases for tests that loop over the engines. SQLite needs nothing; PostgreSQL and MariaDB
 * are reached as an administrator (trust auth / empty root password on 127.0.0.1 by default),
 * and each test gets its own `nimbus_test_<random>` database, dropped afterwards, so test files
 * running in parallel processes never share one. An engine that does not answer has its tests
 * skipped with the reason, never silently.
 *
 * Environment: NIMBUS_TEST_DIALECTS=sqlite,postgres picks engines; NIMBUS_TEST_POSTGRES_URL and
 * NIMBUS_TEST_MARIADB_URL point at other servers (admin URLs).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Database } from '../../src/common/db/database.js';
import { openDatabase } from '../../src/cli/presets/databases.js';
import { DIALECT_NAMES, type DialectName } from '../../src/common/db/engine.js';
import { messageOf } from '../../src/common/errors/errors.js';

type ServerDialect = Exclude<DialectName, 'sqlite'>;

const ADMIN_URLS: Readonly<Record<ServerDialect, string>> = {
  postgres: process.env['NIMBUS_TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  mariadb: process.env['NIMBUS_TEST_MARIADB_URL'] ?? 'mysql://root@127.0.0.1:3306/',
};

/** How each server creates and drops a scratch database. */
const SCRATCH: Readonly<Record<ServerDialect, { create: string; drop: string }>> = {
  postgres: { create: 'create database "$"', drop: 'drop database if exists "$" with (force)' },
  // A binary collation, so text compares and is unique case-sensitively, as on the other engines.
  mariadb: { create: 'create database `$` character set utf8mb4 collate utf8mb4_bin', drop: 'drop database if exists `$`' },
};

/** The engines under test: all of them, or those NIMBUS_TEST_DIALECTS names. */
export const DIALECTS: readonly DialectName[] = selectedDialects();

function selectedDialects(): DialectName[] {
  const wanted = process.env['NIMBUS_TEST_DIALECTS'];
  if (wanted === undefined || wanted.trim() === '') return [...DIALECT_NAMES];
  const names = wanted.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !DIALECT_NAMES.some((known) => known === name));
  if (unknown.length > 0) throw new Error(`NIMBUS_TEST_DIALECTS: unknown engine(s) ${unknown.join(', ')}`);
  return DIALECT_NAMES.filter((name) => names.includes(name));
}

const probes = new Map<ServerDialect, Promise<string | false>>();

/**
 * Why the engine's tests must be skipped, or false when it answers: pass it as the `skip`
 * option of the dialect's `describe`. Probed once per process.
 */
export function unavailable(dialect: DialectName): Promise<string | false> {
  if (dialect === 'sqlite') return Promise.resolve(false);
  let probe = probes.get(dialect);
  if (probe === undefined) {
    probe = probeServer(dialect);
    probes.set(dialect, probe);
  }
  return probe;
}

async function probeServer(dialect: ServerDialect): Promise<string | false> {
  try {
    const admin = await openDatabase(ADMIN_URLS[dialect]);
    await admin.close();
    return false;
  } catch (error) {
    const reason = `${dialect} at ${new URL(ADMIN_URLS[dialect]).host} did not answer, its tests are SKIPPED: ${messageOf(error)}`;
    process.stderr.write(`\n*** ${reason}\n\n`);
    return reason;
  }
}

/** Runs fn with the URL of a fresh, empty database of the engine, and removes it afterwards. */
export async function withTestDatabase<T>(dialect: DialectName, fn: (url: string) => Promise<T>): Promise<T> {
  const scratch = await createScratchDatabase(dialect);
  try {
    return await fn(scratch.url);
  } finally {
    await scratch.remove();
  }
}

/** A fresh, empty database of the engine, opened: a contract harness. dispose() closes and removes it. */
export async function openTestDatabase(dialect: DialectName): Promise<{ readonly db: Database; dispose(): Promise<void> }> {
  const scratch = await createScratchDatabase(dialect);
  let db: Database;
  try {
    db = await openDatabase(scratch.url);
  } catch (error) {
    await scratch.remove();
    throw error;
  }
  return {
    db,
    dispose: async () => {
      await db.close();
      await scratch.remove();
    },
  };
}

/** Why an engine's suite must be skipped: not among NIMBUS_TEST_DIALECTS, or not answering; false to run it. */
export async function engineSkipReason(dialect: DialectName): Promise<string | false> {
  if (!DIALECTS.includes(dialect)) return `${dialect} is not among NIMBUS_TEST_DIALECTS`;
  return unavailable(dialect);
}

async function createScratchDatabase(dialect: DialectName): Promise<{ readonly url: string; remove(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'nimbus-test-'));
    return { url: `sqlite://${join(dir, 'state', 'nimbus.sqlite')}`, remove: () => rm(dir, { recursive: true, force: true }) };
  }
  const name = `nimbus_test_${randomBytes(6).toString('hex')}`;
  const adminUrl = ADMIN_URLS[dialect];
  await runAsAdmin(adminUrl, SCRATCH[dialect].create.replace('$', name));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), remove: () => runAsAdmin(adminUrl, SCRATCH[dialect].drop.replace('$', name)) };
}

async function runAsAdmin(adminUrl: string, statement: string): Promise<void> {
  const admin: Database = await openDatabase(adminUrl);
  try {
    await sql.raw(statement).execute(admin.kysely);
  } finally {
    await admin.close();
  }
}

/** Opens the URL, runs fn with the database, and closes it, also on failure. */
export async function withOpenDatabase<T>(url: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(url);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
