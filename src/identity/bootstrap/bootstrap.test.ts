import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { BadRequest, Conflict, Forbidden, NotFound } from '../../common/errors/errors.js';
import type { IdentityManagers } from '../resources/index.js';
import { withIdentity } from '../resources/testing/identity-fixture.js';
import { bootstrapIdentity, type BootstrapOptions } from './bootstrap.js';

function options(port: number): BootstrapOptions {
  const at = (path: string) => ({ public: `http://h:${port}${path}`, internal: `http://h:${port}${path}`, admin: `http://h:${port}${path}` });
  return {
    adminPassword: 'admin-pw',
    demoPassword: 'demo-pw',
    region: 'RegionOne',
    endpoints: [
      { type: 'identity', name: 'keystone', urls: at('/identity') },
      { type: 'compute', name: 'nova', urls: at('/compute/v2.1') },
    ],
  };
}

/** Everything the bootstrap touches, as comparable data. */
async function snapshot(managers: IdentityManagers): Promise<unknown> {
  return {
    domains: await managers.domains.list(),
    projects: await managers.projects.list(),
    users: await managers.users.list(),
    roles: await managers.roles.list(),
    inferences: await managers.roles.listInferences(),
    assignments: await managers.roleAssignments.list({}),
    regions: await managers.regions.list(),
    services: await managers.services.list(),
    endpoints: await managers.endpoints.list(),
  };
}

for (const dialect of DIALECTS) {
  describe(`identity bootstrap and catalog on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('bootstrap creates the personas and catalog, and a second run changes nothing', () =>
      withIdentity(dialect, async ({ managers, log }) => {
        const first = await bootstrapIdentity(managers, options(5000));
        assert.deepEqual(
          (await managers.assignments.effectiveRoles(first.admin.user.id, { projectId: first.admin.project.id })).map((r) => r.name),
          ['admin', 'member', 'reader'],
        );
        assert.deepEqual(
          (await managers.assignments.effectiveRoles(first.demo.user.id, { projectId: first.demo.project.id })).map((r) => r.name),
          ['member', 'reader'],
        );
        assert.equal(await managers.users.verifyPassword(first.admin.user.id, 'admin-pw'), 'valid');
        assert.equal(first.demo.user.default_project_id, first.demo.project.id);
        const before = await snapshot(managers);
        const second = await bootstrapIdentity(managers, options(5000));
        assert.deepEqual(second, first);
        assert.deepEqual(await snapshot(managers), before);
        assert.deepEqual(log, []);
        const catalog = await managers.endpoints.tokenCatalog();
        assert.deepEqual(catalog.map((entry) => [entry.type, entry.name, entry.endpoints.length]), [['compute', 'nova', 3], ['identity', 'keystone', 3]]);
        assert.deepEqual(catalog[0]?.endpoints.map((e) => [e.interface, e.region, e.url]), [
          ['admin', 'RegionOne', 'http://h:5000/compute/v2.1'],
          ['internal', 'RegionOne', 'http://h:5000/compute/v2.1'],
          ['public', 'RegionOne', 'http://h:5000/compute/v2.1'],
        ]);
      }));

    test('bootstrap moves endpoints to a new port and resets a changed password', () =>
      withIdentity(dialect, async ({ managers, log }) => {
        const first = await bootstrapIdentity(managers, options(5000));
        await bootstrapIdentity(managers, { ...options(6000), adminPassword: 'new-pw' });
        const urls = (await managers.endpoints.list()).map((endpoint) => endpoint.url);
        assert.equal(urls.length, 6);
        assert.ok(urls.every((url) => url.startsWith('http://h:6000/')));
        assert.equal(await managers.users.verifyPassword(first.admin.user.id, 'new-pw'), 'valid');
        assert.deepEqual(log, [`passwordChanged(${first.admin.user.id})`]);
      }));

    test('regions, services and endpoints: CRUD, filters and Keystone errors', () =>
      withIdentity(dialect, async ({ managers: { regions, services, endpoints } }) => {
        const one = await regions.create({ id: 'RegionOne' });
        assert.deepEqual(one, { id: 'RegionOne', description: '', parent_region_id: null, extra: {} });
        const sub = await regions.create({ id: 'Sub', parent_region_id: 'RegionOne', description: 'below' });
        await assert.rejects(regions.create({ id: 'RegionOne' }), Conflict);
        await assert.rejects(regions.create({ parent_region_id: 'nope' }), NotFound);
        await assert.rejects(regions.update('RegionOne', { parent_region_id: 'Sub' }), BadRequest);
        const nova = await services.create({ type: 'compute', name: 'nova' });
        await assert.rejects(endpoints.create({ service_id: 'nope', interface: 'public', url: 'http://x' }), BadRequest);
        await assert.rejects(endpoints.create({ service_id: nova.id, interface: 'public', url: 'http://x', region_id: 'nope' }), BadRequest);
        assert.deepEqual(await endpoints.list(), [], 'failed creates stored nothing');
        const pub = await endpoints.create({ service_id: nova.id, interface: 'public', url: 'http://x/%(project_id)s', region_id: sub.id });
        await endpoints.create({ service_id: nova.id, interface: 'internal', url: 'http://y' });
        assert.deepEqual((await endpoints.list({ interface: 'public' })).map((e) => e.id), [pub.id]);
        assert.deepEqual((await endpoints.list({ region_id: 'Sub' })).map((e) => e.id), [pub.id]);
        assert.equal((await endpoints.list({ service_id: nova.id })).length, 2);
        assert.deepEqual((await endpoints.tokenCatalog())[0]?.endpoints.map((e) => e.url), ['http://y']);
        assert.deepEqual((await endpoints.tokenCatalog('p1'))[0]?.endpoints.map((e) => e.url).sort(), ['http://x/p1', 'http://y']);
        await assert.rejects(regions.delete('RegionOne'), Forbidden);
        await endpoints.update(pub.id, { enabled: false });
        assert.deepEqual((await endpoints.tokenCatalog('p1'))[0]?.endpoints.map((e) => e.url), ['http://y']);
        await services.delete(nova.id);
        assert.deepEqual(await endpoints.list(), []);
        await regions.delete('RegionOne');
        assert.deepEqual(await regions.list(), []);
      }));
  });
}
