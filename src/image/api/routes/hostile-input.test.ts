import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectRoutes, runHostileSuite } from '../../../../test/support/hostile-suite.js';
import { configureLogging } from '../../../common/logging/logger.js';
import { ADMIN } from '../../images/testing/image-fixture.js';
import { withImageApp } from './image-test-app.js';

configureLogging({ sink: () => undefined });

test("image: every route answers hostile input below 500, in Glance's fault format, a 4xx when its schema refuses it, and changes nothing", (t) =>
  withImageApp(async ({ app, db }) => {
    const routes = collectRoutes(app);
    await app.ready();
    assert.ok(routes.length > 10, `${routes.length} routes`);
    const { failures, statuses } = await runHostileSuite(
      {
        app,
        dbs: [db],
        format: 'glance',
        headers: { 'x-test-context': JSON.stringify(ADMIN) },
        // PATCH bodies in Glance's JSON-patch media type for half the cases, so they reach the patch parser.
        headersFor: (route, index): Record<string, string> => (route.method === 'PATCH' && index % 2 === 0 ? { 'content-type': 'application/openstack-images-v2.1-json-patch' } : {}),
        casesPerRoute: 12,
      },
      routes,
    );
    t.diagnostic(`${routes.length} routes; answers by status: ${JSON.stringify(statuses)}`);
    assert.deepEqual(failures, []);
  }));
