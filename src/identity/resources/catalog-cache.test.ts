import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withIdentity } from './testing/identity-fixture.js';
import type { IdentityTables } from '../db/tables.js';
import type { IdentityManagers } from './index.js';

/** The URLs of the token catalog's endpoints, by service type. */
async function catalogUrls(managers: IdentityManagers): Promise<Record<string, string[]>> {
  const catalog = await managers.endpoints.tokenCatalog('p1');
  return Object.fromEntries(catalog.map((entry) => [entry.type, entry.endpoints.map((endpoint) => endpoint.url)]));
}

describe('token catalog cache ([catalog] cache_time)', () => {
  test('writes through the managers show at once; a write by another process shows after cache_time', async () => {
    await withIdentity(
      'sqlite',
      async ({ managers, db, advance }) => {
        const service = await managers.services.create({ type: 'compute', name: 'nova' });
        const endpoint = await managers.endpoints.create({ service_id: service.id, interface: 'public', url: 'http://a/v2.1/%(project_id)s' });
        assert.deepEqual(await catalogUrls(managers), { compute: ['http://a/v2.1/p1'] });

        await managers.endpoints.update(endpoint.id, { url: 'http://b/v2.1' });
        assert.deepEqual(await catalogUrls(managers), { compute: ['http://b/v2.1'] }, 'an endpoint update drops the cached catalog');
        await managers.services.update(service.id, { enabled: false });
        assert.deepEqual(await catalogUrls(managers), {}, 'so does disabling the service');
        await managers.services.update(service.id, { enabled: true });

        // Another API process on the same database changes the endpoint: seen only once cache_time has passed.
        assert.deepEqual(await catalogUrls(managers), { compute: ['http://b/v2.1'] });
        await db.kysely.withTables<IdentityTables>().updateTable('identity_endpoints').set({ url: 'http://c/v2.1' }).where('id', '=', endpoint.id).execute();
        advance(29_000);
        assert.deepEqual(await catalogUrls(managers), { compute: ['http://b/v2.1'] });
        advance(2_000);
        assert.deepEqual(await catalogUrls(managers), { compute: ['http://c/v2.1'] });

        await managers.endpoints.delete(endpoint.id);
        assert.deepEqual(await catalogUrls(managers), { compute: [] }, 'an endpoint delete drops it');
        await managers.services.delete(service.id);
        assert.deepEqual(await catalogUrls(managers), {}, 'a service delete drops it');
      },
      { catalogCacheSeconds: 30 },
    );
  });

  test('cache_time 0 reads the database for every token', async () => {
    await withIdentity(
      'sqlite',
      async ({ managers, db }) => {
        const service = await managers.services.create({ type: 'image', name: 'glance' });
        const endpoint = await managers.endpoints.create({ service_id: service.id, interface: 'public', url: 'http://a/image' });
        assert.deepEqual(await catalogUrls(managers), { image: ['http://a/image'] });
        await db.kysely.withTables<IdentityTables>().updateTable('identity_endpoints').set({ url: 'http://b/image' }).where('id', '=', endpoint.id).execute();
        assert.deepEqual(await catalogUrls(managers), { image: ['http://b/image'] });
      },
      { catalogCacheSeconds: 0 },
    );
  });
});
