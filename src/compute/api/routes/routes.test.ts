import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN, insertInstance, memberOf } from '../../db/testing/compute-db.js';
import { QUOTA_DEFAULTS } from '../../quotas/quota-resources.js';
import { withComputeApp, type Call } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');
const OTHER = memberOf('other');
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHa8WJ1PVJSfBJ/qkA7BGUmd1yEp7+h/A6E0glWrT8Lc test';

/** The shared compute test app, with one running instance of project demo for the usage figures. */
function withRoutes(fn: (call: Call) => Promise<void>): Promise<void> {
  return withComputeApp(async ({ db, call }) => {
    await insertInstance(db, 'demo', { vcpus: 2, memory_mb: 512 });
    await fn(call);
  });
}

const TINY = {
  id: '1',
  name: 'm1.tiny',
  ram: 128,
  disk: 1,
  swap: '',
  'OS-FLV-EXT-DATA:ephemeral': 0,
  'OS-FLV-DISABLED:disabled': false,
  vcpus: 1,
  'os-flavor-access:is_public': true,
  rxtx_factor: 1,
  links: [
    { rel: 'self', href: 'http://cloud/compute/v2.1/flavors/1' },
    { rel: 'bookmark', href: 'http://cloud/compute/flavors/1' },
  ],
};

describe('compute routes: flavors', () => {
  test('show, list, detail with Nova 2.1 bodies; unknown id 404; paging links', () =>
    withRoutes(async (call) => {
      assert.deepEqual((await call('GET', '/flavors/1', { as: DEMO })).json, { flavor: TINY });
      const missing = await call('GET', '/flavors/m1.tiny', { as: DEMO });
      assert.deepEqual([missing.status, missing.json], [404, { itemNotFound: { code: 404, message: 'Flavor m1.tiny could not be found.' } }]);
      const brief = await call('GET', '/flavors', { as: DEMO });
      assert.deepEqual((brief.json['flavors'] as unknown[])[0], { id: '1', name: 'm1.tiny', links: TINY.links });
      assert.equal(brief.json['flavors_links'], undefined);
      const detail = await call('GET', '/flavors/detail?is_public=None&minRam=1000', { as: ADMIN });
      assert.deepEqual((detail.json['flavors'] as { name: string }[]).map((f) => f.name), ['m1.medium', 'm1.large', 'm1.xlarge']);
      const paged = await call('GET', '/flavors/detail?limit=2&sort_key=memory_mb&sort_dir=desc');
      assert.deepEqual((paged.json['flavors'] as { id: string }[]).map((f) => f.id), ['5', '4']);
      assert.deepEqual(paged.json['flavors_links'], [
        { rel: 'next', href: 'http://cloud/compute/v2.1/flavors/detail?limit=2&sort_dir=desc&sort_key=memory_mb&marker=4' },
      ]);
      assert.equal((await call('GET', '/flavors?is_public=maybe')).status, 400);
      assert.equal((await call('GET', '/flavors?minDisk=x')).status, 400);
      assert.equal((await call('GET', '/flavors?sort_key=bogus')).status, 400);
      assert.equal((await call('GET', '/flavors?marker=nope')).status, 400);
    }));

  test('create (admin only), validation 400, duplicates 409, delete 202', () =>
    withRoutes(async (call) => {
      const body = { flavor: { name: 'custom', ram: 256, vcpus: '2', disk: 3, swap: 128, 'os-flavor-access:is_public': 'false', id: 'c1' } };
      const refused = await call('POST', '/flavors', { body, as: DEMO });
      assert.deepEqual(refused.json, { forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed." } });
      const created = await call('POST', '/flavors', { body });
      assert.equal(created.status, 200);
      const flavor = created.json['flavor'] as Record<string, unknown>;
      assert.deepEqual([flavor['vcpus'], flavor['swap'], flavor['os-flavor-access:is_public']], [2, 128, false]);
      assert.equal((await call('POST', '/flavors', { body })).status, 409);
      assert.equal((await call('GET', '/flavors/c1', { as: DEMO })).status, 404, 'private flavor invisible to others');
      for (const bad of [{ ram: 0 }, { vcpus: -1 }, { disk: 'x' }, { name: ' x' }, { rxtx_factor: 0 }, { extra: 1 }]) {
        const reply = await call('POST', '/flavors', { body: { flavor: { name: 'b', ram: 1, vcpus: 1, disk: 1, ...bad } } });
        assert.equal(reply.status, 400, JSON.stringify(bad));
      }
      const generated = await call('POST', '/flavors', { body: { flavor: { name: 'gen', ram: 1, vcpus: 1, disk: 0, id: null } } });
      assert.match(String((generated.json['flavor'] as Record<string, unknown>)['id']), /^[0-9a-f-]{36}$/);
      assert.equal((await call('DELETE', '/flavors/c1', { as: DEMO })).status, 403);
      assert.equal((await call('DELETE', '/flavors/c1')).status, 202);
      assert.equal((await call('DELETE', '/flavors/c1')).status, 404);
    }));

  test('extra specs and flavor access', () =>
    withRoutes(async (call) => {
      const specs = await call('POST', '/flavors/1/os-extra_specs', { body: { extra_specs: { 'hw:cpu_policy': 'dedicated', n: 2, b: true } } });
      assert.deepEqual(specs.json, { extra_specs: { 'hw:cpu_policy': 'dedicated', n: '2', b: 'True' } });
      assert.deepEqual((await call('GET', '/flavors/1/os-extra_specs', { as: DEMO })).json, { extra_specs: { b: 'True', 'hw:cpu_policy': 'dedicated', n: '2' } });
      assert.deepEqual((await call('GET', '/flavors/1/os-extra_specs/n', { as: DEMO })).json, { n: '2' });
      assert.deepEqual((await call('PUT', '/flavors/1/os-extra_specs/n', { body: { n: '3' } })).json, { n: '3' });
      assert.equal((await call('PUT', '/flavors/1/os-extra_specs/n', { body: { m: '3' } })).status, 400);
      assert.equal((await call('POST', '/flavors/1/os-extra_specs', { body: { extra_specs: { n: '4' } }, as: DEMO })).status, 403);
      assert.equal((await call('DELETE', '/flavors/1/os-extra_specs/n')).status, 200);
      assert.equal((await call('GET', '/flavors/1/os-extra_specs/n')).status, 404);

      await call('POST', '/flavors', { body: { flavor: { name: 'priv', ram: 64, vcpus: 1, disk: 1, id: 'p', 'os-flavor-access:is_public': false } } });
      const added = await call('POST', '/flavors/p/action', { body: { addTenantAccess: { tenant: 'demo' } } });
      assert.deepEqual(added.json, { flavor_access: [{ flavor_id: 'p', tenant_id: 'demo' }] });
      assert.equal((await call('POST', '/flavors/p/action', { body: { addTenantAccess: { tenant: 'demo' } } })).status, 409);
      assert.equal((await call('GET', '/flavors/p', { as: DEMO })).status, 200);
      assert.equal((await call('GET', '/flavors/p', { as: OTHER })).status, 404);
      assert.equal(((await call('GET', '/flavors/detail', { as: DEMO })).json['flavors'] as unknown[]).length, 6);
      assert.deepEqual((await call('GET', '/flavors/p/os-flavor-access')).json, added.json);
      assert.equal((await call('GET', '/flavors/1/os-flavor-access')).status, 404);
      assert.equal((await call('POST', '/flavors/p/action', { body: { removeTenantAccess: { tenant: 'demo' } } })).status, 200);
      assert.equal((await call('POST', '/flavors/p/action', { body: { bogus: {} } })).status, 400);
      assert.equal((await call('GET', '/flavors/p', { as: DEMO })).status, 404);
    }));
});

describe('compute routes: key pairs, quotas, limits', () => {
  test('key pairs: generate, import, list, show, delete per user', () =>
    withRoutes(async (call) => {
      const generated = await call('POST', '/os-keypairs', { body: { keypair: { name: 'gen' } }, as: DEMO });
      assert.equal(generated.status, 200);
      const keypair = generated.json['keypair'] as Record<string, unknown>;
      assert.deepEqual(Object.keys(keypair).sort(), ['fingerprint', 'name', 'private_key', 'public_key', 'user_id']);
      const imported = await call('POST', '/os-keypairs', { body: { keypair: { name: 'imp', public_key: ED25519 } }, as: DEMO });
      assert.deepEqual(Object.keys(imported.json['keypair'] as object).sort(), ['fingerprint', 'name', 'public_key', 'user_id']);
      assert.equal((await call('POST', '/os-keypairs', { body: { keypair: { name: 'bad', public_key: 'junk' } }, as: DEMO })).status, 400);
      assert.equal((await call('POST', '/os-keypairs', { body: { keypair: { name: 'imp' } }, as: DEMO })).status, 409);
      assert.equal((await call('POST', '/os-keypairs', { body: { keypair: { name: 'a/b' } }, as: DEMO })).status, 400);
      const list = await call('GET', '/os-keypairs', { as: DEMO });
      assert.deepEqual((list.json['keypairs'] as { keypair: { name: string } }[]).map((k) => k.keypair.name), ['gen', 'imp']);
      assert.deepEqual((await call('GET', '/os-keypairs', { as: OTHER })).json, { keypairs: [] });
      const shown = (await call('GET', '/os-keypairs/imp', { as: DEMO })).json['keypair'] as Record<string, unknown>;
      assert.deepEqual(Object.keys(shown).sort(), ['created_at', 'deleted', 'deleted_at', 'fingerprint', 'id', 'name', 'public_key', 'updated_at', 'user_id']);
      assert.match(String(shown['created_at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      assert.equal((await call('GET', '/os-keypairs/imp', { as: OTHER })).status, 404);
      assert.equal((await call('DELETE', '/os-keypairs/imp', { as: DEMO })).status, 202);
      assert.equal((await call('DELETE', '/os-keypairs/imp', { as: DEMO })).status, 404);
      const long = 'k'.repeat(255);
      assert.equal((await call('POST', '/os-keypairs', { body: { keypair: { name: long } }, as: DEMO })).status, 200);
      assert.equal(((await call('GET', `/os-keypairs/${long}`, { as: DEMO })).json['keypair'] as Record<string, unknown>)['name'], long, 'a 255-character name is shown');
      assert.equal((await call('DELETE', `/os-keypairs/${long}`, { as: DEMO })).status, 202);
    }));

  test('quota sets: show, defaults, detail, update (admin), checkQuota-visible limits', () =>
    withRoutes(async (call) => {
      const shown = await call('GET', '/os-quota-sets/demo', { as: DEMO });
      assert.deepEqual(shown.json, {
        quota_set: { id: 'demo', ...QUOTA_DEFAULTS },
      });
      assert.equal((await call('GET', '/os-quota-sets/demo', { as: OTHER })).status, 403);
      assert.deepEqual((await call('GET', '/os-quota-sets/other/defaults', { as: DEMO })).json, { quota_set: { ...(shown.json['quota_set'] as object), id: 'other' } });
      const detail = (await call('GET', '/os-quota-sets/demo/detail', { as: DEMO })).json['quota_set'] as Record<string, unknown>;
      assert.deepEqual(detail['cores'], { limit: 20, in_use: 2, reserved: 0 });
      assert.equal((await call('PUT', '/os-quota-sets/demo', { body: { quota_set: { instances: 2 } }, as: DEMO })).status, 403);
      const updated = await call('PUT', '/os-quota-sets/demo', { body: { quota_set: { instances: 2, cores: '30' } } });
      assert.equal(updated.status, 200);
      assert.equal((updated.json['quota_set'] as Record<string, unknown>)['id'], undefined, 'update answers without id');
      assert.deepEqual([(updated.json['quota_set'] as Record<string, unknown>)['instances'], (updated.json['quota_set'] as Record<string, unknown>)['cores']], [2, 30]);
      assert.equal((await call('PUT', '/os-quota-sets/demo', { body: { quota_set: { cores: 1 } } })).status, 400, 'below usage');
      assert.equal((await call('PUT', '/os-quota-sets/demo', { body: { quota_set: { bogus: 1 } } })).status, 400);
      assert.equal((await call('DELETE', '/os-quota-sets/demo')).status, 202);
      assert.equal(((await call('GET', '/os-quota-sets/demo')).json['quota_set'] as Record<string, unknown>)['instances'], 10);
    }));

  test("quota sets of a project identity does not know: 400 in Nova's words, nothing stored", () =>
    withComputeApp(async ({ call, db }) => {
      for (const project of ['no-such-project', '..%2F..%2Fetc', '0123456789abcdef0123456789abcdef']) {
        const name = decodeURIComponent(project);
        const update = await call('PUT', `/os-quota-sets/${project}`, { body: { quota_set: { instances: 2 } } });
        assert.deepEqual([update.status, update.json], [400, { badRequest: { code: 400, message: `Project ID ${name} is not a valid project.` } }], project);
        for (const path of [`/os-quota-sets/${project}`, `/os-quota-sets/${project}/detail`, `/os-quota-sets/${project}/defaults`]) {
          assert.equal((await call('GET', path)).status, 400, path);
        }
      }
      const rows = await db.kysely.selectFrom('compute_quotas' as never).selectAll().execute();
      assert.deepEqual(rows, [], 'no quota stored');
      assert.equal((await call('POST', '/flavors/1/action', { body: { addTenantAccess: { tenant: 'no-such-project' } } })).status, 400, 'flavor access checks the project too');
    }));

  test('limits: absolute limits and usage of the caller\'s project; other projects for admins only', () =>
    withRoutes(async (call) => {
      const limits = await call('GET', '/limits', { as: DEMO });
      const absolute = (limits.json['limits'] as { absolute: Record<string, number>; rate: unknown[] }).absolute;
      assert.deepEqual((limits.json['limits'] as { rate: unknown[] }).rate, []);
      assert.deepEqual(
        [absolute['maxTotalInstances'], absolute['totalInstancesUsed'], absolute['totalCoresUsed'], absolute['totalRAMUsed'], absolute['maxImageMeta']],
        [10, 1, 2, 512, 128],
      );
      assert.equal(Object.keys(absolute).length, 19);
      assert.equal((await call('GET', '/limits?tenant_id=other', { as: DEMO })).status, 403);
      const other = await call('GET', '/limits?tenant_id=demo', { as: ADMIN });
      assert.equal((other.json['limits'] as { absolute: Record<string, number> }).absolute['totalInstancesUsed'], 1);
    }));
});
