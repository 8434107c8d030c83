import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { unavailable, withTestDatabase } from '../support/databases.js';
import { freePort } from '../support/free-port.js';
import { runNimbus } from '../support/nimbus-process.js';
import { parseOpenrc } from '../support/openstack-cli.js';
import { issuePasswordToken } from '../support/password-token.js';
import { RABBIT_URL, rabbitUnavailable } from '../support/rabbitmq.js';
import { TempDirs } from '../support/temp-dirs.js';

const rabbitSkip = await rabbitUnavailable();
const tempDirs = new TempDirs();
after(() => tempDirs.removeAll());

// The scaled-out way: separate `db sync` and `serve` processes on a server database and RabbitMQ.
for (const dialect of ['postgres', 'mariadb'] as const) {
  const skip = rabbitSkip || (await unavailable(dialect));
  describe(`nimbus serve on ${dialect} and RabbitMQ`, { skip }, () => {
    test('refuses a stale schema, serves after db sync, and shows in status', async () => {
      await withTestDatabase(dialect, async (url) => {
        const port = await freePort();
        const env = {
          NIMBUS_STATE_DIR: tempDirs.make('nimbus-serve-'),
          NIMBUS_DATABASE_CONNECTION: url,
          NIMBUS_BUS_TRANSPORT_URL: RABBIT_URL,
          NIMBUS_API_PORT: String(port),
          NIMBUS_HOST: `serve-test-${dialect}`,
        };

        const early = runNimbus(['serve', 'compute', 'identity'], env);
        assert.equal(await early.exited(), 1);
        assert.match(early.output(), /not current .*run `nimbus db sync`/);

        const sync = runNimbus(['db', 'sync'], env);
        assert.equal(await sync.exited(), 0, sync.output());
        assert.match(sync.output(), /services: applied 2026-11-22-services/);
        assert.match(sync.output(), /identity: applied 2026-11-22-identity-catalog, 2026-11-22-identity-resources/);
        const again = runNimbus(['db', 'sync'], env);
        assert.equal(await again.exited(), 0);
        assert.match(again.output(), /services: up to date/);

        const bootstrap = runNimbus(['bootstrap'], env);
        assert.equal(await bootstrap.exited(), 0, bootstrap.output());
        const openrc = parseOpenrc(readFileSync(join(env.NIMBUS_STATE_DIR, 'admin-openrc'), 'utf8'));
        assert.equal(openrc['OS_AUTH_URL'], `http://127.0.0.1:${port}/identity`);

        const node = runNimbus(['serve', 'compute', 'identity'], env);
        try {
          await node.waitFor(/Serving compute, identity at/);
          assert.equal((await fetch(`http://127.0.0.1:${port}/compute/v2.1`)).status, 200);
          assert.equal((await fetch(`http://127.0.0.1:${port}/identity/v3`)).status, 200);
          assert.equal((await fetch(`http://127.0.0.1:${port}/image/versions`)).status, 404, 'image is not served here');

          // The bootstrapped admin authenticates against this node and may list projects.
          const { token } = await issuePasswordToken(`http://127.0.0.1:${port}`, openrc);
          const projects = await fetch(`http://127.0.0.1:${port}/identity/v3/projects`, { headers: { 'x-auth-token': token } });
          const names = ((await projects.json()) as { projects: { name: string }[] }).projects.map((p) => p.name).sort();
          assert.deepEqual(names, ['admin', 'demo']);

          const status = runNimbus(['status'], env);
          assert.equal(await status.exited(), 1, 'image, volume and network do not answer');
          const text = status.output();
          assert.match(text, new RegExp(`nimbus-compute-api\\s+serve-test-${dialect}\\s+up\\s+enabled`));
          assert.match(text, /compute\s+http:\S+\s+answering/);
          assert.match(text, /image\s+http:\S+\s+HTTP 404/);
          assert.ok(!text.includes('guest:guest'), 'the broker password is masked');
        } finally {
          node.child.kill('SIGTERM');
          assert.equal(await node.exited(), 0, node.output());
        }
      });
    });
  });
}
