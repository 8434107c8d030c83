import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { ConsoleTokenStore } from '../db/console-token-store.js';
import type { ComputeTables } from '../db/tables.js';
import { withComputeDb } from '../db/testing/compute-db.js';
import { ConsoleAuth, hashConsoleToken } from './console-auth.js';

const ADDRESS = { host: 'compute-1', socketPath: '/run/nimbus/u/vnc.sock' };

function tokenOf(url: string): string {
  const path = new URL(url).searchParams.get('path') ?? '';
  return new URLSearchParams(path.replace(/^\?/, '')).get('token') ?? '';
}

for (const dialect of DIALECTS) {
  describe(`console tokens on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('a token is stored only as its hash, good once, and not after its time to live', () =>
      withComputeDb(dialect, async (db) => {
        let now = new Date('2026-12-05T10:00:00.000Z');
        const auth = new ConsoleAuth(new ConsoleTokenStore(db), { tokenTtlSeconds: 600, novncBaseUrl: () => 'http://cloud/novnc/vnc_lite.html', now: () => now });
        const first = await auth.authorize('instance-1', 'novnc', ADDRESS);
        assert.equal(first.expires.toISOString(), '2026-12-05T10:10:00.000Z');
        const token = tokenOf(first.url);
        const rows = await db.kysely.withTables<ComputeTables>().selectFrom('compute_console_auth_tokens').selectAll().execute();
        assert.deepEqual(rows.map((row) => row.token_hash), [hashConsoleToken(token)]);
        assert.ok(!JSON.stringify(rows).includes(token), 'the token itself is nowhere in the table');

        // The admin's look-up leaves it; the proxy takes it once.
        assert.equal((await auth.show(token))?.instance_uuid, 'instance-1');
        const taken = await auth.consume(token);
        assert.deepEqual([taken?.host, taken?.internal_access_path], ['compute-1', '/run/nimbus/u/vnc.sock']);
        assert.equal(await auth.consume(token), undefined, 'used');
        assert.equal(await auth.show(token), undefined);
        assert.equal(await auth.consume('not-a-token'), undefined, 'wrong');

        const second = tokenOf((await auth.authorize('instance-1', 'novnc', ADDRESS)).url);
        now = new Date('2026-12-05T10:10:00.000Z');
        assert.equal(await auth.consume(second), undefined, 'expired at its time to live');
        // Expired tokens are dropped as new ones are handed out.
        await auth.authorize('instance-1', 'novnc', ADDRESS);
        const left = await db.kysely.withTables<ComputeTables>().selectFrom('compute_console_auth_tokens').select('token_hash').execute();
        assert.equal(left.length, 1);
      }));

    test('of two connections racing with one token, one gets the console', () =>
      withComputeDb(dialect, async (db) => {
        const auth = new ConsoleAuth(new ConsoleTokenStore(db), { tokenTtlSeconds: 600, novncBaseUrl: () => 'http://cloud/novnc/vnc_lite.html' });
        const token = tokenOf((await auth.authorize('instance-1', 'novnc', ADDRESS)).url);
        const outcomes = await Promise.all([auth.consume(token), auth.consume(token), auth.consume(token)]);
        assert.equal(outcomes.filter((outcome) => outcome !== undefined).length, 1);
      }));
  });
}
