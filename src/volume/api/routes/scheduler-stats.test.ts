import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN, memberOf, withVolumeCloud } from '../../testing/volume-cloud.js';

type Json = Record<string, unknown>;

test('scheduler-stats/get_pools: an admin lists the reported pools, with capabilities given detail; others are refused', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const plain = await cloud.call('GET', '/scheduler-stats/get_pools', { as: ADMIN });
    assert.equal(plain.status, 200, plain.text);
    const pools = plain.json['pools'] as Json[];
    assert.ok(pools.length > 0, 'the file backend reported its pool');
    for (const pool of pools) assert.deepEqual(Object.keys(pool), ['name']);
    assert.match(String(pools[0]?.['name']), /^[^@#]+@[^#]+#.+$/);

    const detailed = await cloud.call('GET', '/scheduler-stats/get_pools?detail=true', { as: ADMIN });
    const [pool] = detailed.json['pools'] as Json[];
    const capabilities = pool?.['capabilities'] as Json;
    assert.equal(pool?.['name'], pools[0]?.['name']);
    assert.equal(typeof capabilities['vendor_name'], 'string');
    assert.equal(typeof capabilities['total_capacity_gb'], 'number');
    assert.equal(typeof capabilities['volume_backend_name'], 'string');
    assert.ok(!Number.isNaN(Date.parse(String(capabilities['timestamp']))));

    assert.deepEqual((await cloud.call('GET', '/scheduler-stats/get_pools?detail=maybe', { as: ADMIN })).json, {
      badRequest: { code: 400, message: "Invalid input received: Unrecognized value 'maybe' for detail" },
    });
    assert.deepEqual((await cloud.call('GET', '/scheduler-stats/get_pools', { as: memberOf('alice-project') })).json, {
      forbidden: { code: 403, message: "Policy doesn't allow scheduler_extension:scheduler_stats:get_pools to be performed." },
    });
  }));

test('scheduler-stats/get_pools leaves out a disabled or frozen backend until it is enabled or thawed (Cinder\'s HostManager); capabilities/{host} still answers for it', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const BACKEND = 'test-host@file';
    const names = async (): Promise<unknown[]> => ((await cloud.call('GET', '/scheduler-stats/get_pools', { as: ADMIN })).json['pools'] as Json[]).map((pool) => pool['name']);
    const services = (action: string, body: Json) => cloud.call('PUT', `/os-services/${action}`, { body, as: ADMIN });
    const listed = await names();
    assert.deepEqual(listed, [`${BACKEND}#file`]);

    assert.equal((await services('disable', { host: BACKEND, binary: 'cinder-volume' })).status, 200);
    assert.deepEqual(await names(), [], 'disabled');
    const capabilities = await cloud.call('GET', `/capabilities/${BACKEND}`, { as: ADMIN });
    assert.equal(capabilities.status, 200, capabilities.text);
    assert.equal(capabilities.json['namespace'], `OS::Storage::Capabilities::${BACKEND}`);
    assert.equal((await services('enable', { host: BACKEND, binary: 'cinder-volume' })).status, 200);
    assert.deepEqual(await names(), listed);

    assert.equal((await services('freeze', { host: BACKEND })).status, 200);
    assert.deepEqual(await names(), [], 'frozen');
    assert.equal((await cloud.call('GET', `/capabilities/${BACKEND}`, { as: ADMIN })).status, 200);
    assert.equal((await services('thaw', { host: BACKEND })).status, 200);
    assert.deepEqual(await names(), listed);
  }));
