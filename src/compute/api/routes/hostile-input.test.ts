import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectRoutes, runHostileSuite } from '../../../../test/support/hostile-suite.js';
import { configureLogging } from '../../../common/logging/logger.js';
import { withImages } from '../../../image/images/testing/image-fixture.js';
import { ADMIN, insertInstance } from '../../db/testing/compute-db.js';
import { withComputeApp } from '../../testing/compute-test-app.js';

configureLogging({ sink: () => undefined });

function idOf(json: Record<string, unknown>, key: string): string {
  return String((json[key] as Record<string, unknown>)['id']);
}

test('compute: every route answers hostile input below 500, in Nova\'s fault format, a 4xx when its schema refuses it, and changes nothing', (t) =>
  withImages('sqlite', ({ images, db: imageDb }) =>
    withComputeApp(async ({ app, db, call }) => {
      const routes = collectRoutes(app);
      await app.ready();
      assert.ok(routes.length > 100, `${routes.length} routes`);
      // Real resources, so reads with hostile queries get past their lookups.
      const server = await insertInstance(db, ADMIN.projectId ?? '');
      await call('POST', '/os-keypairs', { body: { keypair: { name: 'kp' } } });
      const aggregate = idOf((await call('POST', '/os-aggregates', { body: { aggregate: { name: 'agg' } } })).json, 'aggregate');
      const group = idOf((await call('POST', '/os-server-groups', { body: { server_group: { name: 'g', policies: ['affinity'] } } })).json, 'server_group');
      const image = (await images.create(ADMIN, { name: 'img' })).id;
      const { failures, statuses } = await runHostileSuite(
        {
          app,
          dbs: [db, imageDb],
          format: 'nova',
          headers: { 'x-test-context': JSON.stringify(ADMIN) },
          // Half the cases at the newest microversion, where most schemas are strictest.
          headersFor: (_route, index): Record<string, string> => (index % 2 === 0 ? { 'openstack-api-version': 'compute latest' } : {}),
          casesPerRoute: 10,
          knownIds: {
            server_id: [server], flavor_id: ['1'], image_id: [image], aggregate_id: [aggregate], id: [server, '1', aggregate, group, image],
            project_id: [ADMIN.projectId ?? '', 'demo'], tenant_id: ['demo'], keypair_name: ['kp'], class_name: ['default'], user: [ADMIN.userId ?? ''],
          },
        },
        routes,
      );
      t.diagnostic(`${routes.length} routes; answers by status: ${JSON.stringify(statuses)}`);
      assert.deepEqual(failures, []);
    }, { images }),
  ));
