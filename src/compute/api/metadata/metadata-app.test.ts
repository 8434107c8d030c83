import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../../common/db/database.js';
import { signInstanceId } from '../../../common/metadata/instance-signature.js';
import { InstanceStore } from '../../db/instance-store.js';
import { insertInstance, withComputeDb } from '../../db/testing/compute-db.js';
import { metadataInstancesOf } from './index.js';
import { buildMetadataApp } from './metadata-app.js';

const SECRET = 'metadata-test-secret';
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMetadataTest test@nimbus';
const USER_DATA = '#!/bin/sh\necho from user data\n';

interface Seeded {
  readonly app: FastifyInstance;
  readonly uuid: string;
  readonly other: string;
}

function withApp(fn: (seeded: Seeded) => Promise<void>): Promise<void> {
  return withComputeDb('sqlite', async (db: Database) => {
    const uuid = await insertInstance(db, 'project-a', {
      hostname: 'meta-vm',
      display_name: 'meta vm',
      key_name: 'k1',
      key_data: KEY,
      user_data: Buffer.from(USER_DATA).toString('base64'),
      reservation_id: 'r-abcdef12',
      availability_zone: 'zone-a',
    });
    const other = await insertInstance(db, 'project-b', { hostname: 'other-vm' });
    const app = buildMetadataApp({ instances: metadataInstancesOf(new InstanceStore(db)), sharedSecret: SECRET });
    try {
      await fn({ app, uuid, other });
    } finally {
      await app.close();
    }
  });
}

/** The headers Neutron's metadata agent sends for an instance. */
function proxied(instanceId: string, tenantId: string, signature = signInstanceId(SECRET, instanceId)): Record<string, string> {
  return { 'x-instance-id': instanceId, 'x-tenant-id': tenantId, 'x-instance-id-signature': signature, 'x-forwarded-for': '10.0.0.5' };
}

describe("Nova's metadata API", () => {
  test('a signed request gets the instance\'s meta_data.json, user data and version listings', () =>
    withApp(async ({ app, uuid }) => {
      const headers = proxied(uuid, 'project-a');
      const reply = await app.inject({ url: '/openstack/latest/meta_data.json', headers });
      assert.equal(reply.statusCode, 200);
      assert.match(String(reply.headers['content-type']), /application\/json/);
      const body = reply.json<Record<string, unknown>>();
      assert.equal(body['uuid'], uuid);
      assert.equal(body['hostname'], 'meta-vm');
      assert.equal(body['name'], 'meta vm');
      assert.equal(body['project_id'], 'project-a');
      assert.equal(body['availability_zone'], 'zone-a');
      assert.deepEqual(body['public_keys'], { k1: KEY });
      assert.deepEqual(body['keys'], [{ name: 'k1', type: 'ssh', data: KEY }]);

      const folsom = (await app.inject({ url: '/openstack/2012-08-10/meta_data.json', headers })).json<Record<string, unknown>>();
      assert.equal(folsom['project_id'], undefined, 'Folsom has no project_id');
      assert.equal(folsom['random_seed'], undefined);

      assert.equal((await app.inject({ url: '/openstack/latest/user_data', headers })).body, USER_DATA);
      assert.deepEqual((await app.inject({ url: '/openstack/latest/vendor_data2.json', headers })).json(), {});
      assert.deepEqual(Object.keys((await app.inject({ url: '/openstack/latest/network_data.json', headers })).json<object>()), ['links', 'networks', 'services']);
      const versions = (await app.inject({ url: '/openstack', headers })).body.split('\n');
      assert.equal(versions[0], '2012-08-10');
      assert.equal(versions.at(-1), 'latest');
      assert.deepEqual((await app.inject({ url: '/openstack/latest', headers })).body.split('\n'), [
        'meta_data.json',
        'user_data',
        'password',
        'vendor_data.json',
        'network_data.json',
        'vendor_data2.json',
      ]);
      assert.equal((await app.inject({ url: '/openstack/2011-01-01/meta_data.json', headers })).statusCode, 404);
      assert.equal((await app.inject({ url: '/openstack/latest/nothing', headers })).statusCode, 404);
    }));

  test('the EC2 tree: hostname, instance id, local address, public key, user data, dated versions', () =>
    withApp(async ({ app, uuid }) => {
      const headers = proxied(uuid, 'project-a');
      const get = async (url: string) => {
        const reply = await app.inject({ url, headers });
        assert.equal(reply.statusCode, 200, url);
        return reply.body;
      };
      const listing = (await get('/latest/meta-data/')).split('\n');
      for (const key of ['hostname', 'instance-id', 'local-ipv4', 'public-keys/', 'placement/', 'reservation-id', 'ami-id']) assert.ok(listing.includes(key), key);
      assert.equal(await get('/latest/meta-data/hostname'), 'meta-vm');
      assert.equal(await get('/latest/meta-data/instance-id'), `i-${uuid.replaceAll('-', '').slice(0, 8)}`);
      assert.equal(await get('/latest/meta-data/local-ipv4'), '10.0.0.5');
      assert.equal(await get('/latest/meta-data/reservation-id'), 'r-abcdef12');
      assert.equal(await get('/latest/meta-data/placement/availability-zone'), 'zone-a');
      assert.equal(await get('/latest/meta-data/public-keys/'), '0=k1');
      assert.equal(await get('/latest/meta-data/public-keys/0/'), 'openssh-key');
      assert.equal(await get('/latest/meta-data/public-keys/0/openssh-key'), KEY);
      assert.equal(await get('/latest/user-data'), USER_DATA);
      assert.deepEqual((await get('/latest')).split('\n'), ['meta-data/', 'user-data']);
      // 1.0 predates local-hostname (2007-01-19) and placement (2008-02-01).
      const old = (await get('/1.0/meta-data/')).split('\n');
      assert.ok(old.includes('hostname') && !old.includes('local-hostname') && !old.includes('placement/'));
      assert.equal(await get('/2009-04-04/meta-data/instance-action'), 'none');
      assert.equal((await app.inject({ url: '/2001-01-01/meta-data/', headers })).statusCode, 404);
      assert.equal((await app.inject({ url: '/latest/meta-data/nothing', headers })).statusCode, 404);
    }));

  test('the root lists the EC2 versions to anyone', () =>
    withApp(async ({ app }) => {
      const reply = await app.inject({ url: '/' });
      assert.equal(reply.statusCode, 200);
      assert.deepEqual(reply.body.split('\n').slice(-2), ['2009-04-04', 'latest']);
    }));

  test('a wrong or missing signature is 403, missing ids 400: nothing of the instance is served', () =>
    withApp(async ({ app, uuid }) => {
      const forged = await app.inject({ url: '/openstack/latest/meta_data.json', headers: proxied(uuid, 'project-a', signInstanceId('another-secret', uuid)) });
      assert.equal(forged.statusCode, 403);
      assert.match(forged.body, /Invalid proxy request signature/);
      assert.doesNotMatch(forged.body, /meta-vm/);
      const without = (name: string) => Object.fromEntries(Object.entries(proxied(uuid, 'project-a')).filter(([key]) => key !== name));
      assert.equal((await app.inject({ url: '/openstack/latest/meta_data.json', headers: without('x-instance-id-signature') })).statusCode, 403);
      const missing = await app.inject({ url: '/openstack/latest/meta_data.json', headers: without('x-instance-id') });
      assert.equal(missing.statusCode, 400);
      assert.match(missing.body, /X-Instance-ID header is missing/);
      assert.match((await app.inject({ url: '/latest/meta-data/hostname', headers: without('x-tenant-id') })).body, /X-Tenant-ID header is missing/);
    }));

  test("an unknown instance, or another project's, is 404", () =>
    withApp(async ({ app, other }) => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      assert.equal((await app.inject({ url: '/openstack/latest/meta_data.json', headers: proxied(unknown, 'project-a') })).statusCode, 404);
      // Correctly signed, but the tenant named is not the instance's.
      const crossed = await app.inject({ url: '/openstack/latest/meta_data.json', headers: proxied(other, 'project-a') });
      assert.equal(crossed.statusCode, 404);
      assert.doesNotMatch(crossed.body, /other-vm/);
    }));
});
