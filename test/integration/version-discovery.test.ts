import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API_SERVICE_NAMES } from '../../src/cli/presets/api-services.js';
import { startCloudNode, type CloudNode } from '../../src/cli/runtime/cloud-node.js';
import { loadConfig } from '../../src/common/config/load.js';
import { configureLogging } from '../../src/common/logging/logger.js';
import { COMPUTE_MAX_VERSION } from '../../src/compute/api/versions.js';
import { TempDirs } from '../support/temp-dirs.js';

// What keystoneauth and openstacksdk read before anything else (reference notes §3.2), without a
// token, with links on the configured public URL.
const BASE = 'http://cloud.example:8770';
configureLogging({ sink: () => undefined });
let node: CloudNode;
const tempDirs = new TempDirs();
before(async () => {
  const config = loadConfig({
    env: { NIMBUS_STATE_DIR: tempDirs.make('nimbus-versions-'), NIMBUS_API_PORT: '0', NIMBUS_API_PUBLIC_URL: BASE },
  });
  node = await startCloudNode(config, { command: 'up', services: API_SERVICE_NAMES, migrate: true, computeHosts: [] });
});
after(async () => {
  await node.stop();
  tempDirs.removeAll();
});

async function fetchPath(url: string, headers: Record<string, string> = {}) {
  return fetch(`http://127.0.0.1:${node.port}${url}`, { headers, redirect: 'manual' });
}

async function get(url: string) {
  const response = await fetchPath(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('version discovery documents', () => {
  test('identity: 300 with versions.values at the root, the v3 entry at /v3', async () => {
    const root = await get('/identity');
    assert.equal(root.status, 300);
    assert.deepEqual(root.body, {
      versions: {
        values: [
          {
            id: 'v3.14',
            status: 'stable',
            updated: '2020-04-07T00:00:00Z',
            links: [{ rel: 'self', href: `${BASE}/identity/v3/` }],
            'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
          },
        ],
      },
    });
    const v3 = await get('/identity/v3');
    assert.equal(v3.status, 200);
    assert.deepEqual(v3.body['version'], (root.body['versions'] as { values: unknown[] }).values[0]);
  });

  test("compute: 200 at the root, /v2 and /v2.1; v2.0 listed first as Nova's list has it, v2.1 up to what is implemented", async () => {
    for (const url of ['/compute', '/compute/']) {
      const root = await get(url);
      assert.equal(root.status, 200);
      const versions = root.body['versions'] as { id: string; status: string; version: string; min_version: string; links: unknown[] }[];
      assert.deepEqual(
        versions.map((v) => [v.id, v.status, v.version, v.min_version]),
        [['v2.0', 'SUPPORTED', '', ''], ['v2.1', 'CURRENT', COMPUTE_MAX_VERSION, '2.1']],
      );
      assert.deepEqual(versions[0]?.links, [{ rel: 'self', href: `${BASE}/compute/v2/` }]);
      assert.deepEqual(versions[1]?.links, [{ rel: 'self', href: `${BASE}/compute/v2.1/` }]);
    }
    // Tempest's test_get_version_details follows each self link to the version's own document.
    for (const [path, id, mediaType] of [['/compute/v2.1', 'v2.1', '2.1'], ['/compute/v2/', 'v2.0', '2']]) {
      const single = await get(path ?? '');
      assert.equal(single.status, 200);
      const version = single.body['version'] as Record<string, unknown>;
      // Tempest's compute version schema allows exactly these keys.
      assert.deepEqual(Object.keys(version).sort(), ['id', 'links', 'media-types', 'min_version', 'status', 'updated', 'version']);
      assert.equal(version['id'], id);
      assert.deepEqual(version['media-types'], [{ base: 'application/json', type: `application/vnd.openstack.compute+json;version=${mediaType}` }]);
    }
  });

  test('compute negotiates microversions within what it advertises', async () => {
    const latest = await fetchPath('/compute/v2.1', { 'openstack-api-version': 'compute latest' });
    assert.equal(latest.headers.get('openstack-api-version'), `compute ${COMPUTE_MAX_VERSION}`);
    assert.equal(latest.headers.get('x-openstack-nova-api-version'), COMPUTE_MAX_VERSION);
    const tooNew = await fetchPath('/compute/v2.1', { 'x-openstack-nova-api-version': '2.94' });
    assert.equal(tooNew.status, 406);
    assert.equal(((await tooNew.json()) as { computeFault: { code: number } }).computeFault.code, 406);
  });

  test('image: 300 at the root, 200 at /versions', async () => {
    const root = await get('/image');
    assert.equal(root.status, 300);
    assert.deepEqual(root.body, { versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${BASE}/image/v2/` }] }] });
    assert.deepEqual((await get('/image/versions')).body, root.body);
  });

  test('volume: 300 at the root, 200 at /v3, version 3.0', async () => {
    const root = await get('/volume');
    assert.equal(root.status, 300);
    const entry = (root.body['versions'] as Record<string, unknown>[])[0];
    assert.equal(entry?.['id'], 'v3.0');
    assert.equal(entry?.['min_version'], '3.0');
    assert.equal((await get('/volume/v3')).status, 200);
  });

  test('network: 200 at the root with id/status/links only', async () => {
    const root = await get('/network');
    assert.equal(root.status, 200);
    assert.deepEqual(root.body, {
      versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${BASE}/network/v2.0/` }] }],
    });
    const resources = (await get('/network/v2.0')).body['resources'] as { name: string; collection: string; links: { href: string }[] }[];
    assert.deepEqual(resources.map((resource) => `${resource.name} ${resource.collection}`), ['network networks', 'subnet subnets', 'port ports']);
    assert.equal(resources[0]?.links[0]?.href, `${BASE}/network/v2.0/networks`);
  });
});
