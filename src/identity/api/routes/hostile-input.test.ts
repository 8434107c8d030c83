import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectRoutes, runHostileSuite } from '../../../../test/support/hostile-suite.js';
import { configureLogging } from '../../../common/logging/logger.js';
import { withIdentityApp } from '../testing/identity-test-app.js';

configureLogging({ sink: () => undefined });

test("identity: every route answers hostile input below 500, in Keystone's fault format, a 4xx when its schema refuses it, and changes nothing", (t) =>
  withIdentityApp(async ({ app, db, tokenOf }) => {
    const routes = collectRoutes(app);
    const token = await tokenOf('admin');
    assert.ok(routes.length > 50, `${routes.length} routes`);
    const { failures, statuses } = await runHostileSuite({ app, dbs: [db], format: 'keystone', headers: { 'x-auth-token': token }, casesPerRoute: 10 }, routes);
    t.diagnostic(`${routes.length} routes; answers by status: ${JSON.stringify(statuses)}`);
    assert.deepEqual(failures, []);
  }));
