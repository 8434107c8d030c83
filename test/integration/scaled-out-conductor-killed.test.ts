import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Database } from '../../src/common/db/database.js';
import { BrokerRelay } from '../support/broker-relay.js';
import { unavailable, withOpenDatabase, withTestDatabase } from '../support/databases.js';
import { freePort } from '../support/free-port.js';
import { haproxyUnavailable, startApiFront } from '../support/haproxy.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, parseOpenrc, type OpenstackEnv } from '../support/openstack-cli.js';
import { RABBIT_URL, rabbitUnavailable } from '../support/rabbitmq.js';
import { serviceUserEnv } from '../support/remote-compute-agent.js';

// Issue 18: a conductor killed (SIGKILL) in the middle of a build and of a resize. Started again,
// it settles what it left (the build in ERROR with a fault, the resize undone); with a second
// conductor running, the messages the dead one held go to the other, which finishes both.
//
// The window: the test holds an EXCLUSIVE lock on compute_allocations, so a conductor recording a
// claim waits there — after the scheduler chose a host, before the operation reached it. A second
// window, a build placed on its host (claim recorded, host set) but not yet cast there: an ACCESS
// EXCLUSIVE lock on compute_instance_info_caches holds the conductor reading the server back.
// And an API process killed between writing the server and casting its build (the cast held in a
// relay that drops it), which instance_build_timeout ends.
const skip = (await rabbitUnavailable()) || (await unavailable('postgres')) || openstackCliUnavailable() || haproxyUnavailable();

/** Heartbeats every second, down after four. */
const TIMING = { NIMBUS_REPORT_INTERVAL: '1', NIMBUS_SERVICE_DOWN_TIME: '4' };

type Json = Record<string, unknown>;

/** Takes a lock on `table` in `mode` and answers its release (which waits for the transaction to end). */
async function holdLock(db: Database, table: string, mode: 'EXCLUSIVE' | 'ACCESS EXCLUSIVE'): Promise<() => Promise<void>> {
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked = (): void => undefined;
  const lockTaken = new Promise<void>((resolve) => (locked = resolve));
  const transaction = db.kysely.transaction().execute(async (trx) => {
    await sql`LOCK TABLE ${sql.table(table)} IN ${sql.raw(mode)} MODE`.execute(trx);
    locked();
    await released;
  });
  await Promise.race([lockTaken, transaction]);
  return async () => {
    release();
    await transaction;
  };
}

/** Statements of this database waiting on a lock: the conductors stuck behind the test's. */
async function lockWaiters(db: Database): Promise<number> {
  const { rows } = await sql<{ waiting: number }>`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db.kysely);
  return rows[0]?.waiting ?? 0;
}

async function waitForLockWaiters(db: Database, wanted: (count: number) => boolean, what: string): Promise<void> {
  let count = -1;
  for (let attempt = 0; attempt < 120; attempt += 1) {
    count = await lockWaiters(db);
    if (wanted(count)) return;
    await sleep(250);
  }
  assert.fail(`never ${what}: ${count} statements wait on a lock`);
}

/**
 * Waits until HAProxy passes requests again: a node started while no other is up is in its pool
 * only after two health checks (`rise 2`), and until then the front answers 503.
 */
async function frontAnswers(url: string): Promise<void> {
  let status = 0;
  for (let attempt = 0; attempt < 80; attempt += 1) {
    // Not following `/`'s redirect to the dashboard: a tree whose dashboard is not built answers 503 there.
    status = await fetch(`${url}/`, { redirect: 'manual' }).then((response) => response.status, () => 0);
    if (status < 500 && status !== 0) return;
    await sleep(250);
  }
  assert.fail(`the API front still answers ${status} after 20 s`);
}

/** The conductor host running each instance's task, from the conductor's own bookkeeping. */
async function taskOwners(db: Database): Promise<Map<string, string>> {
  const { rows } = await sql<{ instance_uuid: string; conductor_host: string }>`SELECT instance_uuid, conductor_host FROM compute_conductor_tasks`.execute(db.kysely);
  return new Map(rows.map((row) => [row.instance_uuid, row.conductor_host]));
}

async function serverSettled(admin: OpenstackEnv, name: string, done: readonly string[]): Promise<Json> {
  let server: Json = {};
  for (let attempt = 0; attempt < 120; attempt += 1) {
    server = await openstackJson<Json>(admin, ['server', 'show', name]);
    if (done.includes(String(server['status']))) return server;
    await sleep(500);
  }
  assert.fail(`${name} is ${String(server['status'])}/${String(server['OS-EXT-STS:task_state'])}, expected one of ${done.join(', ')}`);
}

/** The request id of the server's first action of `name` (create, resize). */
async function requestIdOf(admin: OpenstackEnv, server: string, action: string): Promise<string> {
  const events = await openstackJson<Json[]>(admin, ['server', 'event', 'list', server]);
  const found = events.find((event) => event['Action'] === action);
  assert.ok(found, `no ${action} action on ${server}: ${JSON.stringify(events)}`);
  return String(found['Request ID']);
}

interface Deployment {
  readonly admin: OpenstackEnv;
  readonly db: Database;
  /** The control node `ctl-a`, started first (its scheduler is the active one). */
  readonly first: NimbusProcess;
  /** Starts a control node (identity, image, compute with its conductor and scheduler): `ctl-a` or `ctl-b`, each behind the front; `env` adds to the common environment. */
  startNode(host: ControlHost, env?: Readonly<Record<string, string>>): Promise<NimbusProcess>;
}

type ControlHost = 'ctl-a' | 'ctl-b';

/**
 * PostgreSQL, the test file's RabbitMQ vhost, HAProxy in front of the two control nodes' ports
 * (docs/deploy/haproxy.cfg; the openrc and the catalog name the front), `ctl-a` running, and two
 * fake compute hosts in an agent process.
 */
async function withDeployment(fn: (deployment: Deployment) => Promise<void>, firstEnv: Readonly<Record<string, string>> = {}): Promise<void> {
  await withTestDatabase('postgres', (url) =>
    withOpenDatabase(url, async (db) => {
      const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-conductor-killed-'));
      const agentDir = mkdtempSync(join(tmpdir(), 'nimbus-conductor-killed-agent-'));
      const processes: NimbusProcess[] = [];
      const ports: Record<ControlHost, number> = { 'ctl-a': await freePort(), 'ctl-b': await freePort() };
      const frontPort = await freePort();
      const front = startApiFront(frontPort, Object.entries(ports));
      const common = {
        NIMBUS_STATE_DIR: stateDir,
        NIMBUS_DATABASE_CONNECTION: url,
        NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL,
        NIMBUS_API_PUBLIC_URL: front.url,
        ...TIMING,
      };
      try {
        for (const step of [['db', 'sync'], ['bootstrap']]) {
          const run = runNimbus(step, common);
          assert.equal(await run.exited(), 0, run.output());
        }
        const admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
        const startNode = async (host: ControlHost, env: Readonly<Record<string, string>> = {}): Promise<NimbusProcess> => {
          const node = runNimbus(['serve', 'identity', 'image', 'compute'], { ...common, NIMBUS_HOST: host, NIMBUS_API_PORT: String(ports[host]), ...env });
          processes.push(node);
          await node.waitFor(/Serving identity, image, compute at/, 40_000);
          await frontAnswers(front.url);
          return node;
        };
        const first = await startNode('ctl-a', firstEnv);
        const agents = runNimbus(['compute-agent', '--driver', 'fake', '--hosts', '2'], {
          NIMBUS_STATE_DIR: agentDir,
          NIMBUS_DATABASE_CONNECTION: 'postgresql://nobody@127.0.0.1:1/none',
          NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL,
          ...TIMING,
          ...serviceUserEnv(admin),
        });
        processes.push(agents);
        await agents.waitFor(/Compute agents running for hosts compute-1 … compute-2, driver fake/, 40_000);
        await openstackOk(admin, ['image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--file', '/dev/null', 'blank']);
        await fn({ admin, db, first, startNode });
      } finally {
        for (const child of processes) child.child.kill('SIGTERM');
        for (const child of processes) await child.exited();
        await front.stop();
        rmSync(stateDir, { recursive: true, force: true });
        rmSync(agentDir, { recursive: true, force: true });
      }
    }),
  );
}

const CREATE = ['--os-compute-api-version', '2.37', 'server', 'create', '--image', 'blank', '--flavor', '1', '--nic', 'none'];

/**
 * With the allocations locked: a resize of `resized` and the build of `built` start, and both
 * conductor tasks wait on the lock. Answers the release of the lock.
 */
async function startStuckOperations(deployment: Deployment, resized: string, built: string): Promise<() => Promise<void>> {
  const { admin, db } = deployment;
  const unlock = await holdLock(db, 'compute_allocations', 'EXCLUSIVE');
  try {
    await openstackOk(admin, ['server', 'resize', '--flavor', '2', resized]);
    await openstackOk(admin, [...CREATE, built]);
    await waitForLockWaiters(db, (count) => count >= 2, 'saw both conductor tasks wait on the allocations');
  } catch (error) {
    await unlock();
    throw error;
  }
  return unlock;
}

/** The server's host as the database has it (null: not placed), read without the API. */
async function hostInDb(db: Database, name: string): Promise<string | null | undefined> {
  const { rows } = await sql<{ host: string | null }>`SELECT host FROM compute_instances WHERE display_name = ${name} AND deleted = false`.execute(db.kysely);
  return rows[0]?.host;
}

/**
 * Boots `name` and holds its conductor after it placed the build (claim recorded, host set) and
 * before it cast it to the host. Answers the release of the hold.
 */
async function startPlacedBuild(deployment: Deployment, name: string): Promise<() => Promise<void>> {
  const { admin, db } = deployment;
  const unlockAllocations = await holdLock(db, 'compute_allocations', 'EXCLUSIVE');
  let unlockCaches: (() => Promise<void>) | undefined;
  try {
    await openstackOk(admin, [...CREATE, name]);
    await waitForLockWaiters(db, (count) => count >= 1, 'saw the build wait on the allocations');
    unlockCaches = await holdLock(db, 'compute_instance_info_caches', 'ACCESS EXCLUSIVE');
    await unlockAllocations();
    for (let attempt = 0; attempt < 120 && ((await hostInDb(db, name)) ?? null) === null; attempt += 1) await sleep(250);
    assert.notEqual(await hostInDb(db, name), null, 'the conductor placed the build');
    await waitForLockWaiters(db, (count) => count >= 1, 'saw the conductor wait to read the placed server back');
  } catch (error) {
    await unlockAllocations().catch(() => undefined);
    await unlockCaches?.();
    throw error;
  }
  return unlockCaches;
}

/** The node's WARNING lines about a task its dead predecessor (or peer) left. */
function settledLines(node: NimbusProcess): string[] {
  return node.output().split('\n').filter((line) => / WARNING /.test(line) && /stopped while running/.test(line));
}

async function kill(node: NimbusProcess): Promise<void> {
  node.child.kill('SIGKILL');
  await node.exited();
}

/** Kills the one of the two control nodes whose conductor holds the build of `serverId`. */
async function killBuildOwner(deployment: Deployment, second: NimbusProcess, serverId: string): Promise<void> {
  const owner = (await taskOwners(deployment.db)).get(serverId);
  assert.ok(owner === 'ctl-a' || owner === 'ctl-b', `the build is recorded as a conductor's: ${String(owner)}`);
  await kill(owner === 'ctl-a' ? deployment.first : second);
}

describe('a conductor killed in the middle of a build and a resize', { skip }, () => {
  test('started again, it settles both: the build in ERROR with a fault, the resize undone; one WARNING each under its request id', async () => {
    await withDeployment(async (deployment) => {
      const { admin, db } = deployment;
      await openstackOk(admin, [...CREATE, '--wait', 'steady']);
      const unlock = await startStuckOperations(deployment, 'steady', 'doomed');
      try {
        assert.deepEqual([...(await taskOwners(db)).values()], ['ctl-a', 'ctl-a'], 'the only conductor runs both');
        await kill(deployment.first);
      } finally {
        await unlock();
      }
      // What the dead node's connections were waiting to write is written (or dropped) now.
      await waitForLockWaiters(db, (count) => count === 0, 'saw the lock waiters go');
      const again = await deployment.startNode('ctl-a');

      const doomed = await serverSettled(admin, 'doomed', ['ERROR', 'ACTIVE']);
      assert.equal(doomed['status'], 'ERROR');
      assert.match(JSON.stringify(doomed['fault']), /The conductor building this server stopped/);
      const steady = await serverSettled(admin, 'steady', ['ACTIVE', 'VERIFY_RESIZE', 'ERROR']);
      assert.equal(steady['status'], 'ACTIVE', JSON.stringify(steady['fault']));
      assert.equal(steady['OS-EXT-STS:task_state'], null);
      assert.match(JSON.stringify(steady['flavor']), /m1\.tiny|"1"/, 'still the old flavor');
      const migrations = await openstackJson<Json[]>(admin, ['--os-compute-api-version', '2.23', 'server', 'migration', 'list', '--server', 'steady']);
      assert.deepEqual(migrations.map((row) => row['Status']), ['error']);
      assert.deepEqual(await taskOwners(db), new Map(), 'no task left recorded');

      const lines = settledLines(again);
      for (const [server, action] of [['doomed', 'create'], ['steady', 'resize']] as const) {
        const requestId = await requestIdOf(admin, server, action);
        assert.equal(lines.filter((line) => line.includes(requestId)).length, 1, `one WARNING under ${requestId}:\n${lines.join('\n')}`);
      }
      // Nothing stays allocated to the failed build; the resized server holds its own only.
      const { rows } = await sql<{ consumer_uuid: string }>`SELECT consumer_uuid FROM compute_allocations`.execute(db.kysely);
      assert.deepEqual(rows.map((row) => row.consumer_uuid), [String(steady['id'])]);
    });
  });

  test('with a second conductor running, killing the one that holds them: the other finishes the build and the resize', async () => {
    await withDeployment(async (deployment) => {
      const { admin } = deployment;
      const second = await deployment.startNode('ctl-b');
      await openstackOk(admin, [...CREATE, '--wait', 'steady']);
      const unlock = await startStuckOperations(deployment, 'steady', 'survivor');
      try {
        // The conductor holding the build dies; the resize may be on either.
        await killBuildOwner(deployment, second, String((await openstackJson<Json>(admin, ['server', 'show', 'survivor']))['id']));
      } finally {
        await unlock();
      }
      const built = await serverSettled(admin, 'survivor', ['ACTIVE', 'ERROR']);
      assert.equal(built['status'], 'ACTIVE', JSON.stringify(built['fault']));
      const resized = await serverSettled(admin, 'steady', ['VERIFY_RESIZE', 'ACTIVE', 'ERROR']);
      assert.equal(resized['status'], 'VERIFY_RESIZE', JSON.stringify(resized['fault']));
      await openstackOk(admin, ['server', 'resize', 'confirm', 'steady']);
      assert.equal((await serverSettled(admin, 'steady', ['ACTIVE', 'ERROR']))['status'], 'ACTIVE');
    });
  });

  test('killed after it placed a build but before the cast, beside a second conductor: the other casts it again and it goes ACTIVE, claimed once', async () => {
    await withDeployment(async (deployment) => {
      const { admin, db } = deployment;
      const second = await deployment.startNode('ctl-b');
      const unlock = await startPlacedBuild(deployment, 'recast');
      try {
        // Read without the API: showing the server would wait on the held table too.
        await killBuildOwner(deployment, second, String((await sql<{ uuid: string }>`SELECT uuid FROM compute_instances WHERE display_name = 'recast'`.execute(db.kysely)).rows[0]?.uuid));
      } finally {
        await unlock();
      }
      const built = await serverSettled(admin, 'recast', ['ACTIVE', 'ERROR']);
      assert.equal(built['status'], 'ACTIVE', JSON.stringify(built['fault']));
      assert.match(`${deployment.first.output()}${second.output()}`, /INFO nimbus\.compute\.conductor .*Casting build to compute-\d again: the conductor that placed it there stopped/);
      const { rows } = await sql<{ consumer_uuid: string }>`SELECT consumer_uuid FROM compute_allocations`.execute(db.kysely);
      assert.deepEqual(rows.map((row) => row.consumer_uuid), [String(built['id'])]);
    });
  });
});

describe('a control node (API and conductor) killed with a build written but never cast, and one placed but not cast', { skip }, () => {
  test('started again with instance_build_timeout: the placed one is settled at start, the unheard-of one times out; both in ERROR with a fault, no claim left', async () => {
    const relay = new BrokerRelay();
    await relay.up();
    try {
      await withDeployment(
        async (deployment) => {
          const { admin, db } = deployment;
          const unlock = await startPlacedBuild(deployment, 'placed');
          try {
            // The node's casts go nowhere from now on: the next build is written and never reaches a conductor.
            relay.blackhole = true;
            const create = openstack(admin, [...CREATE, 'orphan']);
            for (let attempt = 0; attempt < 120 && (await hostInDb(db, 'orphan')) === undefined; attempt += 1) await sleep(250);
            assert.equal(await hostInDb(db, 'orphan'), null, 'the server is written, not placed');
            await kill(deployment.first);
            await create;
          } finally {
            await unlock();
          }
          await waitForLockWaiters(db, (count) => count === 0, 'saw the lock waiters go');
          const owners = await taskOwners(db);
          assert.deepEqual([...owners.values()], ['ctl-a'], 'the dead conductor held the placed build; no conductor heard of the other');
          await deployment.startNode('ctl-a', { NIMBUS_INSTANCE_BUILD_TIMEOUT: '2' });
          const placed = await serverSettled(admin, 'placed', ['ERROR', 'ACTIVE']);
          assert.equal(placed['status'], 'ERROR');
          assert.match(JSON.stringify(placed['fault']), /The conductor building this server stopped before the build started on a host/);
          const orphan = await serverSettled(admin, 'orphan', ['ERROR', 'ACTIVE']);
          assert.equal(orphan['status'], 'ERROR');
          assert.match(JSON.stringify(orphan['fault']), /Instance build timed out\. Set to error state\./);
          const { rows } = await sql<{ consumer_uuid: string }>`SELECT consumer_uuid FROM compute_allocations`.execute(db.kysely);
          assert.deepEqual(rows, [], 'no claim left');
          assert.deepEqual(await taskOwners(db), new Map(), 'no task left recorded');
        },
        { NIMBUS_BUS_TRANSPORT_URL: relay.url },
      );
    } finally {
      await relay.down();
    }
  });
});
