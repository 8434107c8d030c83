import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectRoutes, runHostileSuite } from '../../../../test/support/hostile-suite.js';
import { configureLogging } from '../../../common/logging/logger.js';
import { ADMIN, withVolumeCloud } from '../../testing/volume-cloud.js';

configureLogging({ sink: () => undefined });

test("volume: every route answers hostile input below 500, in Cinder's fault format, a 4xx when its schema refuses it, and changes nothing", (t) =>
  withVolumeCloud('sqlite', async ({ app, db, call, settle }) => {
    const collected = collectRoutes(app);
    await app.ready();
    // The project-less twins (routes/index.ts) run the same handlers and schemas (less project_id): half the time for no new code.
    const routes = collected.filter((route) => route.url.includes('/v3/:project_id/'));
    assert.ok(routes.length > 20, `${routes.length} routes`);
    // A real, settled volume, so reads with hostile queries get past their lookups.
    const created = await call('POST', '/volumes', { body: { volume: { size: 1, name: 'v' } }, as: ADMIN });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    const volume = String((created.json['volume'] as Record<string, unknown>)['id']);
    await settle(`/volumes/${volume}`, ADMIN);
    const { failures, statuses } = await runHostileSuite(
      {
        app,
        dbs: [db],
        format: 'cinder',
        headers: { 'x-test-context': JSON.stringify(ADMIN) },
        // Half the cases at the newest microversion, where most schemas are strictest.
        headersFor: (_route, index): Record<string, string> => (index % 2 === 0 ? { 'openstack-api-version': 'volume latest' } : {}),
        casesPerRoute: 10,
        knownIds: { project_id: [ADMIN.projectId ?? ''], volume_id: [volume], target: [ADMIN.projectId ?? ''] },
      },
      routes,
    );
    t.diagnostic(`${routes.length} routes; answers by status: ${JSON.stringify(statuses)}`);
    assert.deepEqual(failures, []);
  },
  // The suite outlasts the default 10 s heartbeat, which would change the services table under some route.
  { reportIntervalMs: 3_600_000 }));
