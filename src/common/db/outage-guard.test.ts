import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import type { DatabaseConnection, Driver } from 'kysely';
import type { LogRecord } from '../logging/format.js';
import { configureLogging } from '../logging/logger.js';
import { DatabaseUnavailable, guardedDialect, OutageGuard } from './outage-guard.js';

const logged: LogRecord[] = [];
configureLogging({ sink: (_line, record) => logged.push(record) });

class Refused extends Error {
  readonly code = 'ECONNREFUSED';
}

const guard = () => new OutageGuard('postgresql://nimbus@db/nimbus', (error) => error instanceof Refused);
const fail = (error: Error) => () => Promise.reject(error);
const succeed = () => Promise.resolve('row');

test('a connection failure is a 503; the outage is logged once at ERROR and the recovery once at INFO', async () => {
  const watched = guard();
  await watched.run(succeed);
  logged.length = 0;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await assert.rejects(watched.run(fail(new Refused('connect ECONNREFUSED 10.0.0.1:5432'))), (error: unknown) => {
      assert.ok(error instanceof DatabaseUnavailable);
      assert.equal(error.status, 503);
      assert.ok(error.cause instanceof Refused, 'the driver error stays the cause');
      return true;
    });
  }
  assert.equal(await watched.run(succeed), 'row');
  assert.equal(await watched.run(succeed), 'row');
  assert.deepEqual(
    logged.map((record) => `${record.level} ${record.message}`),
    [
      'ERROR Database postgresql://nimbus@db/nimbus is unreachable (connect ECONNREFUSED 10.0.0.1:5432); requests fail with 503 until it is back',
      'INFO Database postgresql://nimbus@db/nimbus is reachable again',
    ],
  );
});

test('other errors pass unchanged, and failures before the first success are the opener\'s to report', async () => {
  const watched = guard();
  logged.length = 0;
  const syntax = new Error('syntax error at or near "selec"');
  await assert.rejects(watched.run(fail(syntax)), (error: unknown) => error === syntax);
  await assert.rejects(watched.run(fail(new Refused('connect ECONNREFUSED'))), DatabaseUnavailable);
  assert.deepEqual(logged, [], 'a database never reached is a start-up error, not an outage');
});

test('a step with no answer within the step timeout is a 503 at its deadline; a timely step is unaffected', async () => {
  const watched = new OutageGuard('mysql://nimbus@db/nimbus', (error) => error instanceof Refused, 200);
  await watched.run(succeed);
  logged.length = 0;
  const began = performance.now();
  await assert.rejects(watched.run(() => new Promise<never>(() => undefined)), (error: unknown) => {
    assert.ok(error instanceof DatabaseUnavailable);
    assert.match(String((error.cause as Error).message), /no answer within 0\.2 s \(\[database\] query_timeout\)/);
    return true;
  });
  const elapsed = performance.now() - began;
  assert.ok(elapsed >= 190 && elapsed < 2000, `failed after ${Math.round(elapsed)} ms`);
  assert.equal(await watched.run(succeed), 'row');
  assert.deepEqual(logged.map((record) => record.level), ['ERROR', 'INFO'], 'a stall is an outage like a refusal');
});

test('a connection the pool hands out after the step timeout goes back to the pool, not lost', async () => {
  const watched = new OutageGuard('postgresql://nimbus@db/nimbus', (error) => error instanceof Refused, 100);
  const late = { executeQuery: () => Promise.reject(new Error('unused')), streamQuery: () => { throw new Error('unused'); } } as DatabaseConnection;
  const released: DatabaseConnection[] = [];
  let handOut: (connection: DatabaseConnection) => void = () => undefined;
  // A pool whose new connection the server accepts only after the caller's deadline (a stalled server answering again).
  const pool: Driver = {
    init: () => Promise.resolve(),
    acquireConnection: () => new Promise((resolve) => (handOut = resolve)),
    beginTransaction: () => Promise.resolve(),
    commitTransaction: () => Promise.resolve(),
    rollbackTransaction: () => Promise.resolve(),
    releaseConnection: (connection) => Promise.resolve(void released.push(connection)),
    destroy: () => Promise.resolve(),
  };
  const unused = () => { throw new Error('unused'); };
  const driver = guardedDialect({ createDriver: () => pool, createAdapter: unused, createQueryCompiler: unused, createIntrospector: unused }, watched).createDriver();
  await assert.rejects(driver.acquireConnection(), DatabaseUnavailable);
  handOut(late);
  await setImmediate();
  assert.deepEqual(released, [late]);
});
