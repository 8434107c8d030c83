import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { freePort } from '../support/free-port.js';
import { runNimbus } from '../support/nimbus-process.js';
import { parseOpenrc } from '../support/openstack-cli.js';
import { requestPasswordToken } from '../support/password-token.js';
import type { PrivateDatabaseServer } from '../support/private-database.js';
import { privateMariadbUnavailable, startPrivateMariadb } from '../support/private-mariadb.js';
import { privatePostgresUnavailable, startPrivatePostgres } from '../support/private-postgres.js';
import { startRemoteComputeAgent, type RemoteComputeAgent } from '../support/remote-compute-agent.js';
import { RABBIT_URL, rabbitUnavailable } from '../support/rabbitmq.js';
import { prepareCloud } from '../support/scaled-out-cloud.js';
import { StallingRelay } from '../support/tcp-forwarder.js';

// Issue 18: the database server stops (as a crash) under a running `nimbus serve`; requests fail
// fast with 503 in each service's fault format, and succeed once it is back, without restarting
// anything: the pool reconnects by itself. Each engine Nimbus runs on, on a private server.
const rabbitSkip = await rabbitUnavailable();
const ENGINES: readonly { name: string; unavailable: () => string | false; start: () => Promise<PrivateDatabaseServer> }[] = [
  { name: 'PostgreSQL', unavailable: privatePostgresUnavailable, start: startPrivatePostgres },
  { name: 'MariaDB', unavailable: privateMariadbUnavailable, start: startPrivateMariadb },
];

/** A request that cannot hang: a server that never answers fails the test instead of stalling it. */
const NO_HANG_MS = 15_000;
/** A node starting beside a dozen other test processes on two cores took more than 20 s. */
const STARTUP_MS = 60_000;
/** A 503 comes at once (a refused connection), well before the drivers' 10 s connect timeout, even on a loaded machine. */
const FAIL_FAST_MS = 5_000;

type Json = Record<string, unknown>;

async function request(url: string, init: RequestInit = {}): Promise<{ status: number; body: Json }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(NO_HANG_MS) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
}

for (const engine of ENGINES) describe(`nimbus serve while its ${engine.name} restarts`, { skip: rabbitSkip || engine.unavailable() }, () => {
  test('requests during the outage are 503 faults; after it they succeed; the outage is logged once', async () => {
    const database = await engine.start();
    const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-db-outage-'));
    try {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const env = {
        NIMBUS_STATE_DIR: stateDir,
        NIMBUS_DATABASE_CONNECTION: await database.createDatabase('nimbus'),
        NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL,
        NIMBUS_API_PORT: String(port),
        NIMBUS_HOST: 'db-outage-node',
        // Heartbeats every second: they too fail during the outage, and must not flood the log.
        NIMBUS_REPORT_INTERVAL: '1',
      };
      for (const step of [['db', 'sync'], ['bootstrap']]) {
        const run = runNimbus(step, env);
        assert.equal(await run.exited(), 0, run.output());
      }
      const admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
      const node = runNimbus(['serve', 'identity', 'image', 'compute'], env);
      const agents: RemoteComputeAgent[] = [];
      try {
        await node.waitFor(/Serving identity, image, compute at/, STARTUP_MS);
        // A compute agent beside it reports its state through the conductor, which needs the database.
        const agent = await startRemoteComputeAgent({ host: 'db-outage-compute', driver: 'fake', busUrl: RABBIT_URL, serviceUser: admin, env: { NIMBUS_REPORT_INTERVAL: '1' } });
        agents.push(agent);
        const issued = await requestPasswordToken(base, admin);
        assert.equal(issued.status, 201);
        const headers = { 'x-auth-token': issued.headers.get('x-subject-token') ?? '' };
        assert.equal((await request(`${base}/compute/v2.1/servers`, { headers })).status, 200);
        assert.equal((await request(`${base}/image/v2/images`, { headers })).status, 200);

        await database.stop();

        for (let round = 0; round < 2; round += 1) {
          const began = performance.now();
          const servers = await request(`${base}/compute/v2.1/servers`, { headers });
          assert.equal(servers.status, 503, JSON.stringify(servers.body));
          const novaFault = servers.body['serviceUnavailable'] as Json | undefined;
          assert.equal(novaFault?.['code'], 503, JSON.stringify(servers.body));
          assert.match(String(novaFault['message']), /database cannot be reached/);

          const images = await request(`${base}/image/v2/images`, { headers });
          assert.equal(images.status, 503, JSON.stringify(images.body));
          assert.equal(images.body['code'], '503 Service Unavailable');
          assert.equal(images.body['title'], 'Service Unavailable');

          const token = await requestPasswordToken(base, admin);
          assert.equal(token.status, 503);
          assert.deepEqual(Object.keys(((await token.json()) as Json)['error'] as Json).sort(), ['code', 'message', 'title']);
          const elapsed = performance.now() - began;
          assert.ok(elapsed < FAIL_FAST_MS, `three requests failed in ${Math.round(elapsed)} ms, not at once`);
        }

        // Heartbeats of the node and of the agent fail a few times meanwhile.
        await sleep(3000);
        await database.start();

        const again = await requestPasswordToken(base, admin);
        assert.equal(again.status, 201, 'a token is issued again');
        const fresh = { 'x-auth-token': again.headers.get('x-subject-token') ?? '' };
        const servers = await request(`${base}/compute/v2.1/servers`, { headers: fresh });
        assert.equal(servers.status, 200, JSON.stringify(servers.body));
        assert.deepEqual(servers.body['servers'], []);
        assert.equal((await request(`${base}/image/v2/images`, { headers: fresh })).status, 200);
        const flavor = await request(`${base}/compute/v2.1/flavors`, {
          method: 'POST',
          headers: { ...fresh, 'content-type': 'application/json' },
          body: JSON.stringify({ flavor: { name: 'after-outage', ram: 64, vcpus: 1, disk: 1 } }),
        });
        assert.equal(flavor.status, 200, `writes work again: ${JSON.stringify(flavor.body)}`);
        // Background work recovers by itself too: the agent's state reports and the scheduler's refresh.
        await agent.nimbus.waitFor(/INFO nimbus\.compute\.manager .*report_state works again/);
        await node.waitFor(/INFO nimbus\.compute\.scheduler\.manager .*Compute service states are being refreshed again/);
      } finally {
        for (const agent of agents) assert.equal(await agent.stop(), 0, agent.nimbus.output());
        node.child.kill('SIGTERM');
        assert.equal(await node.exited(), 0, node.output());
      }
      const log = node.output();
      assert.equal(log.match(/ERROR nimbus\.common\.db .*is unreachable/g)?.length, 1, 'the outage is logged once at ERROR');
      assert.equal(log.match(/INFO nimbus\.common\.db .*is reachable again/g)?.length, 1, 'the recovery is logged once at INFO');
      assert.doesNotMatch(log, /Unexpected error serving/, 'no request failed as a 500');
      // Each component says once that it is failing, not at every heartbeat (HTTP faults are per request).
      for (const output of [log, ...agents.map((agent) => agent.nimbus.output())]) {
        const problems = output
          .split('\n')
          .filter((line) => / (WARNING|ERROR) /.test(line) && !line.includes(' nimbus.common.http ') && !line.includes('    at '))
          .map((line) => line.replace(/^.*? (WARNING|ERROR) /, '$1 ').replace(/\[req-[^\]]*\]/, ''));
        assert.deepEqual(problems.filter((line, index) => problems.indexOf(line) !== index), [], 'no problem logged twice');
      }
    } finally {
      await database.remove();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

/**
 * `[database] query_timeout` in the stall tests: short, so the tests are; requests fail at about this.
 * Not shorter: at a load of 33 on two cores, the node's start-up schema check took over 2 s.
 */
const STALL_TIMEOUT_S = 5;
/** A node stops in a second or two; one still running after this hangs. */
const STOP_MS = 30_000;

/** A database server whose answers stop for a while: `url` is what the node connects to. */
interface StalledDatabase {
  readonly url: string;
  stall(): Promise<void>;
  resume(): Promise<void>;
  remove(): Promise<void>;
}

/**
 * Two ways a database stops answering without refusing anything: MariaDB behind a relay of the
 * test's own that drops every packet (a broken link), PostgreSQL's processes stopped with SIGSTOP
 * (a hung server: the kernel still accepts connections, nobody answers).
 */
const STALLS: readonly { name: string; unavailable: () => string | false; start: () => Promise<StalledDatabase> }[] = [
  {
    name: 'the link to its MariaDB drops every packet',
    unavailable: privateMariadbUnavailable,
    async start() {
      const database = await startPrivateMariadb();
      const relay = new StallingRelay('127.0.0.1', Number(new URL(database.adminUrl).port));
      try {
        await relay.up();
        const url = new URL(await database.createDatabase('nimbus'));
        url.port = String(relay.port);
        return {
          url: url.toString(),
          stall: () => Promise.resolve(relay.stall()),
          resume: () => Promise.resolve(relay.resume()),
          async remove() {
            await relay.close();
            await database.remove();
          },
        };
      } catch (error) {
        await relay.close();
        await database.remove();
        throw error;
      }
    },
  },
  {
    name: 'its PostgreSQL hangs (SIGSTOP, then SIGCONT)',
    unavailable: privatePostgresUnavailable,
    async start() {
      const database = await startPrivatePostgres();
      try {
        return { url: await database.createDatabase('nimbus'), stall: () => database.freeze(), resume: () => database.thaw(), remove: () => database.remove() };
      } catch (error) {
        await database.remove();
        throw error;
      }
    },
  },
];

// The database stops answering, longer than `[database] query_timeout` (and the drivers' 10 s
// connect timeout): nothing is refused, nothing answers. Requests still fail in bounded time with
// 503 faults, a write caught in it is applied whole or not at all, and everything works again once
// the database answers, without restarting the node.
for (const kind of STALLS) describe(`nimbus serve while ${kind.name}`, { skip: rabbitSkip || kind.unavailable() }, () => {
  test('requests meanwhile are 503 faults at query_timeout; after it they succeed; nothing half-written', async () => {
    const database = await kind.start();
    const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-db-stall-'));
    try {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const env = {
        NIMBUS_STATE_DIR: stateDir,
        NIMBUS_DATABASE_CONNECTION: database.url,
        NIMBUS_DATABASE_QUERY_TIMEOUT: String(STALL_TIMEOUT_S),
        NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL,
        NIMBUS_API_PORT: String(port),
        NIMBUS_HOST: 'db-stall-node',
      };
      const admin = await prepareCloud(env);
      const node = runNimbus(['serve', 'identity', 'image', 'compute'], env);
      try {
        await node.waitFor(/Serving identity, image, compute at/, STARTUP_MS);
        const issued = await requestPasswordToken(base, admin);
        assert.equal(issued.status, 201);
        const headers = { 'x-auth-token': issued.headers.get('x-subject-token') ?? '' };
        const createFlavor = (name: string) => request(`${base}/compute/v2.1/flavors`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ flavor: { name, ram: 64, vcpus: 1, disk: 1 } }),
        });
        assert.equal((await request(`${base}/compute/v2.1/servers`, { headers })).status, 200);

        await database.stall();
        const stalledAt = performance.now();
        for (let round = 0; round < 2; round += 1) {
          const began = performance.now();
          // A read of each service, a token, and (first round) a write, all at once.
          const timed = async <T>(request: Promise<T>): Promise<{ answer: T; ms: number }> => ({ answer: await request, ms: performance.now() - began });
          const [servers, images, token, write] = await Promise.all([
            timed(request(`${base}/compute/v2.1/servers`, { headers })),
            timed(request(`${base}/image/v2/images`, { headers })),
            timed(requestPasswordToken(base, admin)),
            round === 0 ? timed(createFlavor('during-stall')) : undefined,
          ]);
          for (const [what, answer] of [['compute', servers], ['image', images], ['token', token], ['write', write]] as const) {
            if (answer === undefined) continue;
            // Not before the timeout (the server refused nothing), and not long after it (a step or two of it, on a loaded machine).
            assert.ok(answer.ms >= STALL_TIMEOUT_S * 1000 - 100, `${what} failed after ${Math.round(answer.ms)} ms, before query_timeout`);
            assert.ok(answer.ms < NO_HANG_MS - 1000, `${what} failed after ${Math.round(answer.ms)} ms`);
          }
          for (const answer of [servers.answer, write?.answer]) {
            if (answer === undefined) continue;
            assert.equal(answer.status, 503, JSON.stringify(answer.body));
            const fault = answer.body['serviceUnavailable'] as Json | undefined;
            assert.equal(fault?.['code'], 503, JSON.stringify(answer.body));
            assert.match(String(fault['message']), /database cannot be reached/);
          }
          assert.equal(images.answer.status, 503, JSON.stringify(images.answer.body));
          assert.equal(images.answer.body['code'], '503 Service Unavailable');
          assert.equal(token.answer.status, 503);
          assert.deepEqual(Object.keys(((await token.answer.json()) as Json)['error'] as Json).sort(), ['code', 'message', 'title']);
        }
        process.stderr.write(`# the database stalled for ${Math.round(performance.now() - stalledAt)} ms\n`);
        await database.resume();

        // What the stall held is answered now; the pool's connections serve requests again.
        const again = await requestPasswordToken(base, admin);
        assert.equal(again.status, 201, 'a token is issued again');
        const servers = await request(`${base}/compute/v2.1/servers`, { headers });
        assert.equal(servers.status, 200, JSON.stringify(servers.body));
        assert.equal((await request(`${base}/image/v2/images`, { headers })).status, 200);
        const flavor = await createFlavor('after-stall');
        assert.equal(flavor.status, 200, `writes work again: ${JSON.stringify(flavor.body)}`);
        // The write that failed with 503 may have been applied once the database answered, but whole, once at most.
        const flavors = await request(`${base}/compute/v2.1/flavors/detail?is_public=None`, { headers });
        assert.equal(flavors.status, 200, JSON.stringify(flavors.body));
        const named = (name: string) => (flavors.body['flavors'] as Json[]).filter((listed) => listed['name'] === name);
        assert.equal(named('after-stall').length, 1);
        assert.ok(named('during-stall').length <= 1, JSON.stringify(named('during-stall')));
        for (const listed of named('during-stall')) assert.deepEqual([listed['ram'], listed['vcpus'], listed['disk']], [64, 1, 1]);
      } finally {
        node.child.kill('SIGTERM');
        // Its shut-down once waited for ever on connections the stall had leaked from the pool.
        const exit = await Promise.race([node.exited(), sleep(STOP_MS).then(() => 'still running')]);
        if (exit === 'still running') node.child.kill('SIGKILL');
        assert.equal(exit, 0, node.output());
      }
      const log = node.output();
      assert.match(log, /ERROR nimbus\.common\.db .*is unreachable \(no answer within 5 s \(\[database\] query_timeout\)\)/);
      assert.equal(log.match(/ERROR nimbus\.common\.db .*is unreachable/g)?.length, 1, 'the stall is logged once at ERROR');
      assert.equal(log.match(/INFO nimbus\.common\.db .*is reachable again/g)?.length, 1, 'the recovery is logged once at INFO');
      assert.doesNotMatch(log, /Unexpected error serving/, 'no request failed as a 500');
    } finally {
      await database.remove();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
