import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectRoutes, runHostileSuite } from '../../../../test/support/hostile-suite.js';
import { configureLogging } from '../../../common/logging/logger.js';
import { ADMIN, withNetworkApi } from '../../testing/network-api-fixture.js';

configureLogging({ sink: () => undefined });

test("network: every route answers hostile input below 500, in Neutron's fault format, a 4xx when its schema refuses it, and changes nothing", (t) =>
  withNetworkApi(async (call, { app, db }) => {
    const routes = collectRoutes(app);
    await app.ready();
    assert.ok(routes.length > 40, `${routes.length} routes`);
    // A real network and subnet, so reads with hostile queries get past their lookups.
    const network = await call('POST', '/v2.0/networks', { body: { network: { name: 'net' } }, as: ADMIN });
    assert.equal(network.status, 201, JSON.stringify(network.json));
    const networkId = String((network.json['network'] as Record<string, unknown>)['id']);
    const subnet = await call('POST', '/v2.0/subnets', { body: { subnet: { network_id: networkId, ip_version: 4, cidr: '10.0.0.0/24' } }, as: ADMIN });
    assert.equal(subnet.status, 201, JSON.stringify(subnet.json));
    const subnetId = String((subnet.json['subnet'] as Record<string, unknown>)['id']);
    const { failures, statuses } = await runHostileSuite(
      {
        app,
        dbs: [db],
        format: 'neutron',
        headers: { 'x-test-context': JSON.stringify(ADMIN) },
        casesPerRoute: 10,
        knownIds: { id: [networkId, subnetId], project_id: [ADMIN.projectId ?? '', 'demo'], alias: ['router'] },
      },
      routes,
    );
    t.diagnostic(`${routes.length} routes; answers by status: ${JSON.stringify(statuses)}`);
    assert.deepEqual(failures, []);
  }));
