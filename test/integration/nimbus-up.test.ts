import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort } from '../support/free-port.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';
import { TempDirs } from '../support/temp-dirs.js';

const READY = /Nimbus all-in-one cloud is running/;
const tempDirs = new TempDirs();
after(() => tempDirs.removeAll());

async function startUp(stateDir: string, port: number, options: { readonly launcher?: boolean } = {}): Promise<NimbusProcess> {
  const nimbus = runNimbus(['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'fake'], {}, options);
  await nimbus.waitFor(READY);
  return nimbus;
}

async function stop(nimbus: NimbusProcess): Promise<number | string> {
  nimbus.child.kill('SIGTERM');
  return nimbus.exited();
}

describe('nimbus up (all-in-one)', () => {
  const stateDir = tempDirs.make('nimbus-up-');
  let nimbus: NimbusProcess | undefined;
  after(() => nimbus?.child.kill('SIGKILL'));

  test('starts, writes private credentials files and answers every service', async () => {
    const port = await freePort();
    nimbus = await startUp(stateDir, port);
    const base = `http://127.0.0.1:${port}`;
    assert.ok(nimbus.output().includes(`endpoint:    ${base}`));
    assert.ok(nimbus.output().includes(`dashboard:   ${base}/dashboard/`));

    for (const file of ['admin-openrc', 'clouds.yaml']) {
      assert.equal(statSync(join(stateDir, file)).mode & 0o777, 0o600, `${file} is private`);
    }
    assert.ok(readFileSync(join(stateDir, 'admin-openrc'), 'utf8').includes(`export OS_AUTH_URL='${base}/identity'`));
    assert.ok(readFileSync(join(stateDir, 'clouds.yaml'), 'utf8').includes('nimbus-demo:'));

    const identity = await fetch(`${base}/identity`);
    assert.equal(identity.status, 300);
    const versions = (await identity.json()) as { versions: { values: { links: { href: string }[] }[] } };
    assert.equal(versions.versions.values[0]?.links[0]?.href, `${base}/identity/v3/`);

    // The root leads to the dashboard, whose page loads the built bundle.
    const dashboard = await fetch(`${base}/`);
    assert.equal(dashboard.url, `${base}/dashboard/`);
    assert.equal(dashboard.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(await dashboard.text(), /<script type="module" crossorigin src="\/dashboard\/assets\/index-[\w-]+\.js">/);

    for (const path of ['/compute/v2.1', '/image/versions', '/volume/v3', '/network/v2.0']) {
      const response = await fetch(base + path);
      assert.equal(response.status, 200, path);
    }
  });

  test('each response carries a request id that the log lines carry too', async () => {
    assert.ok(nimbus);
    const port = Number(/endpoint: +http:\/\/127\.0\.0\.1:(\d+)/.exec(nimbus.output())?.[1]);
    const response = await fetch(`http://127.0.0.1:${port}/compute/v2.1`);
    const requestId = response.headers.get('x-openstack-request-id') ?? '';
    assert.match(requestId, /^req-[0-9a-f-]{36}$/);
    assert.equal(response.headers.get('x-compute-request-id'), requestId);
    await nimbus.waitFor(new RegExp(`INFO \\S+ \\[${requestId} - -\\] .*GET /compute/v2.1 HTTP/1.1" status: 200`), 5000);
  });

  test('unknown paths are 404, wrong methods 405', async () => {
    assert.ok(nimbus);
    const port = Number(/endpoint: +http:\/\/127\.0\.0\.1:(\d+)/.exec(nimbus.output())?.[1]);
    assert.equal((await fetch(`http://127.0.0.1:${port}/compute/v2.1/nothing-here`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${port}/nowhere`)).status, 404);
    const wrong = await fetch(`http://127.0.0.1:${port}/compute/v2.1`, { method: 'DELETE' });
    assert.equal(wrong.status, 405);
  });

  test('SIGTERM stops it cleanly and it restarts on the same state dir, through the ./nimbus launcher (the bundled CLI)', async () => {
    assert.ok(nimbus);
    const password = readFileSync(join(stateDir, 'admin-openrc'), 'utf8');
    assert.equal(await stop(nimbus), 0);
    assert.match(nimbus.output(), /Caught SIGTERM, stopping/);

    const port = await freePort();
    nimbus = await startUp(stateDir, port, { launcher: true });
    assert.equal(readFileSync(join(stateDir, 'admin-openrc'), 'utf8').split('OS_PASSWORD')[1]?.split('\n')[0],
      password.split('OS_PASSWORD')[1]?.split('\n')[0], 'generated passwords survive a restart');
    // The bundle's modules resolve their files (the dashboard's build) from where tsc put them.
    const dashboard = await fetch(`http://127.0.0.1:${port}/dashboard/`);
    assert.match(await dashboard.text(), /<script type="module" crossorigin src="\/dashboard\/assets\/index-[\w-]+\.js">/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/identity/v3`)).status, 200);
    assert.equal(await stop(nimbus), 0);
  });
});

describe('nimbus start-up errors', () => {
  test('a usage error prints the help and exits 2', async () => {
    const agentErrors = [['compute-agent', '--hosts', '0'], ['compute-agent', 'extra']];
    for (const args of [['bogus'], ['up', '--bogus'], ['serve'], ['serve', 'teleport'], ['serve', 'compute', '--compute-hosts', '2'], ...agentErrors, []]) {
      const nimbus = runNimbus(args);
      assert.equal(await nimbus.exited(), 2, args.join(' '));
      assert.match(nimbus.output(), /Usage: nimbus <command>/);
    }
  });

  test('a bad option value is one line naming the key, exit 1', async () => {
    const nimbus = runNimbus(['up', '--state-dir', tempDirs.make('nimbus-bad-')], { NIMBUS_API_PORT: 'eighty' });
    assert.equal(await nimbus.exited(), 1);
    assert.equal(nimbus.output().trim().split('\n').length, 1);
    assert.match(nimbus.output(), /\[api\] port \(environment NIMBUS_API_PORT\)/);
  });

  test('an unreachable database is one line without the password, exit 1', async () => {
    const nimbus = runNimbus(['up', '--state-dir', tempDirs.make('nimbus-bad-')], {
      NIMBUS_DATABASE_CONNECTION: 'postgresql://nimbus:s3cret@127.0.0.1:1/nimbus',
    });
    assert.equal(await nimbus.exited(), 1);
    assert.equal(nimbus.output().trim().split('\n').length, 1, nimbus.output());
    assert.ok(!nimbus.output().includes('s3cret'));
  });

  test('an unreachable broker is one line, exit 1', async () => {
    const nimbus = runNimbus(['up', '--state-dir', tempDirs.make('nimbus-bad-')], {
      NIMBUS_BUS_TRANSPORT_URL: 'rabbit://guest:guest@127.0.0.1:1/',
    });
    assert.equal(await nimbus.exited(), 1);
    assert.equal(nimbus.output().trim().split('\n').length, 1, nimbus.output());
    assert.match(nimbus.output(), /127\.0\.0\.1:1/);
  });

  test('compute-agent on the in-process bus is one line, exit 1: it needs the cloud\'s shared bus', async () => {
    const nimbus = runNimbus(['compute-agent', '--host', 'h1', '--state-dir', tempDirs.make('nimbus-agent-')]);
    assert.equal(await nimbus.exited(), 1);
    assert.equal(nimbus.output().trim().split('\n').length, 1, nimbus.output());
    assert.match(nimbus.output(), /transport_url to rabbit/);
  });

  test('a port already in use is one line, exit 1', async () => {
    const stateDir = tempDirs.make('nimbus-port-');
    const port = await freePort();
    const first = await startUp(stateDir, port);
    try {
      const second = runNimbus(['up', '--state-dir', tempDirs.make('nimbus-port2-'), '--port', String(port)]);
      assert.equal(await second.exited(), 1);
      assert.match(second.output(), new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port}`));
    } finally {
      assert.equal(await stop(first), 0);
    }
  });
});
