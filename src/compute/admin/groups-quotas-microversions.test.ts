import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IMAGE_ID, withComputeApp } from '../testing/compute-test-app.js';
import { memberOf } from '../db/testing/compute-db.js';
import { seedHosts } from './testing/admin-fixtures.js';

type Json = Record<string, unknown>;
const DEMO = memberOf('demo');
const message = (reply: { json: Json }): unknown => (Object.values(reply.json)[0] as Json | undefined)?.['message'];

describe('server groups by microversion', () => {
  test('owners from 2.13, soft policies from 2.15, policy + rules instead of policies and metadata from 2.64', () =>
    withComputeApp(async ({ call }) => {
      const create = (version: string, group: Json) => call('POST', '/os-server-groups', { body: { server_group: { name: 'g', ...group } }, as: DEMO, version });
      const at212 = (await create('2.12', { policies: ['affinity'] })).json['server_group'] as Json;
      assert.deepEqual(Object.keys(at212).sort(), ['id', 'members', 'metadata', 'name', 'policies']);
      const at213 = (await create('2.13', { policies: ['affinity'] })).json['server_group'] as Json;
      assert.deepEqual([at213['project_id'], at213['user_id']], ['demo', 'user-of-demo']);
      assert.equal((await create('2.14', { policies: ['soft-affinity'] })).status, 400);
      const soft = (await create('2.15', { policies: ['soft-anti-affinity'] })).json['server_group'] as Json;
      assert.deepEqual(soft['policies'], ['soft-anti-affinity']);

      assert.equal((await create('2.64', { policies: ['affinity'] })).status, 400, 'policies is gone at 2.64');
      const ruled = (await create('2.64', { policy: 'anti-affinity', rules: { max_server_per_host: '2' } })).json['server_group'] as Json;
      assert.deepEqual(
        { ...ruled, id: 'x' },
        { id: 'x', name: 'g', policy: 'anti-affinity', rules: { max_server_per_host: 2 }, members: [], project_id: 'demo', user_id: 'user-of-demo' },
      );
      const affinityRules = await create('2.64', { policy: 'affinity', rules: { max_server_per_host: 2 } });
      assert.deepEqual([affinityRules.status, message(affinityRules)], [400, 'Only anti-affinity policy supports rules.']);
      assert.equal((await create('2.64', { policy: 'anti-affinity', rules: { other: 1 } })).status, 400);
      const shownOld = (await call('GET', `/os-server-groups/${String(ruled['id'])}`, { as: DEMO })).json['server_group'] as Json;
      assert.deepEqual([shownOld['policies'], shownOld['metadata'], shownOld['rules']], [['anti-affinity'], {}, undefined]);
    }));

  test('list pages with limit and offset; unknown parameters are a 400 from 2.75; all_projects for admins', () =>
    withComputeApp(async ({ call }) => {
      for (const name of ['a', 'b', 'c']) await call('POST', '/os-server-groups', { body: { server_group: { name, policies: ['affinity'] } }, as: DEMO });
      const names = async (query: string, version = '2.1') =>
        ((await call('GET', `/os-server-groups${query}`, { as: DEMO, version })).json['server_groups'] as Json[]).map((group) => group['name']);
      assert.deepEqual(await names('?limit=2'), ['a', 'b']);
      assert.deepEqual(await names('?limit=2&offset=2'), ['c']);
      assert.deepEqual(await names('?bogus=1', '2.74'), ['a', 'b', 'c']);
      assert.equal((await call('GET', '/os-server-groups?bogus=1', { as: DEMO, version: '2.75' })).status, 400);
      assert.equal((await call('GET', '/os-server-groups?limit=-1', { as: DEMO })).status, 400);
      assert.deepEqual(((await call('GET', '/os-server-groups?all_projects=1')).json['server_groups'] as Json[]).length, 3);
      assert.deepEqual(((await call('GET', '/os-server-groups')).json['server_groups'] as Json[]).length, 0, "the admin's own project has none");
    }));
});

describe('aggregates by microversion', () => {
  test('the uuid from 2.41; ids that are no integer are a 400', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call } = harness;
      const created = (await call('POST', '/os-aggregates', { body: { aggregate: { name: 'agg' } }, version: '2.41' })).json['aggregate'] as Json;
      assert.match(String(created['uuid']), /^[0-9a-f-]{36}$/);
      const id = String(created['id']);
      assert.equal(((await call('GET', `/os-aggregates/${id}`, { version: '2.40' })).json['aggregate'] as Json)['uuid'], undefined);
      assert.equal(((await call('GET', '/os-aggregates', { version: '2.41' })).json['aggregates'] as Json[])[0]?.['uuid'], created['uuid']);
      const bad = await call('GET', '/os-aggregates/abc');
      assert.deepEqual([bad.status, message(bad)], [400, 'Invalid input received: id must be an integer']);
      assert.equal((await call('POST', '/os-aggregates/abc/action', { body: { add_host: { host: 'compute-1' } } })).status, 400);
    }));
});

describe('limits and quota sets by microversion', () => {
  test('limits: network limits go at 2.36, maxImageMeta at 2.39, personality at 2.57; unknown parameters a 400 from 2.75', () =>
    withComputeApp(async ({ call }) => {
      const keys = async (version: string) => Object.keys(((await call('GET', '/limits', { as: DEMO, version })).json['limits'] as { absolute: Json }).absolute).sort();
      const all = await keys('2.35');
      assert.deepEqual(all, [
        'maxImageMeta', 'maxPersonality', 'maxPersonalitySize', 'maxSecurityGroupRules', 'maxSecurityGroups', 'maxServerGroupMembers', 'maxServerGroups',
        'maxServerMeta', 'maxTotalCores', 'maxTotalFloatingIps', 'maxTotalInstances', 'maxTotalKeypairs', 'maxTotalRAMSize',
        'totalCoresUsed', 'totalFloatingIpsUsed', 'totalInstancesUsed', 'totalRAMUsed', 'totalSecurityGroupsUsed', 'totalServerGroupsUsed',
      ]);
      const without = (names: string[]) => all.filter((name) => !names.includes(name));
      const network = ['maxSecurityGroupRules', 'maxSecurityGroups', 'maxTotalFloatingIps', 'totalFloatingIpsUsed', 'totalSecurityGroupsUsed'];
      assert.deepEqual(await keys('2.36'), without(network));
      assert.deepEqual(await keys('2.38'), without(network));
      assert.deepEqual(await keys('2.39'), without([...network, 'maxImageMeta']));
      assert.deepEqual(await keys('2.57'), without([...network, 'maxImageMeta', 'maxPersonality', 'maxPersonalitySize']));
      assert.equal((await call('GET', '/limits?bogus=1', { as: DEMO, version: '2.74' })).status, 200);
      assert.equal((await call('GET', '/limits?bogus=1', { as: DEMO, version: '2.75' })).status, 400);
    }));

  test('quota sets: network quotas go at 2.36 and injected files at 2.57, from answers and from what may be set', () =>
    withComputeApp(async ({ call }) => {
      const keys = async (path: string, version: string) => Object.keys((await call('GET', `/os-quota-sets/demo${path}`, { version })).json['quota_set'] as Json).sort();
      const all = await keys('', '2.35');
      assert.deepEqual(all, [
        'cores', 'fixed_ips', 'floating_ips', 'id', 'injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files', 'instances', 'key_pairs',
        'metadata_items', 'ram', 'security_group_rules', 'security_groups', 'server_group_members', 'server_groups',
      ]);
      const network = ['fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups'];
      const injected = ['injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files'];
      const without = (names: string[]) => all.filter((name) => !names.includes(name));
      for (const path of ['', '/detail', '/defaults']) {
        assert.deepEqual(await keys(path, '2.36'), without(network), path);
        assert.deepEqual(await keys(path, '2.57'), without([...network, ...injected]), path);
      }
      const update = (version: string, quota: Json) => call('PUT', '/os-quota-sets/demo', { body: { quota_set: quota }, version });
      const networks = await update('2.1', { networks: 1 });
      assert.deepEqual([networks.status, message(networks)], [400, 'The networks quota has been removed']);
      assert.equal((await update('2.35', { floating_ips: 5 })).status, 200);
      assert.equal((await update('2.36', { floating_ips: 5 })).status, 400);
      assert.equal((await update('2.56', { injected_files: 3 })).status, 200);
      const gone = await update('2.57', { injected_files: 3 });
      assert.equal(gone.status, 400);
      assert.match(String(message(gone)), /Additional properties are not allowed \('injected_files' was unexpected\)$/);
      const updated = (await update('2.57', { instances: 7 })).json['quota_set'] as Json;
      assert.deepEqual([updated['instances'], updated['id'], updated['injected_files']], [7, undefined, undefined]);
      assert.equal((await call('GET', '/os-quota-sets/demo?bogus=1', { version: '2.74' })).status, 200);
      assert.equal((await call('GET', '/os-quota-sets/demo?bogus=1', { version: '2.75' })).status, 400);
      assert.equal((await call('DELETE', '/os-quota-sets/demo?bogus=1', { version: '2.75' })).status, 400);
      assert.equal((await call('DELETE', '/os-quota-sets/demo', { version: '2.75' })).status, 202);
    }));

  test('quota sets ?user_id=: a user\'s own limits inside the project, in Nova\'s settable range, enforced at boot', () =>
    withComputeApp(async ({ call }) => {
      const asUser = '/os-quota-sets/demo?user_id=user-of-demo';
      const instances = async (path: string) => ((await call('GET', path)).json['quota_set'] as Json)['instances'];
      assert.deepEqual(((await call('PUT', asUser, { body: { quota_set: { instances: 1 } } })).json['quota_set'] as Json)['instances'], 1);
      assert.deepEqual([await instances(asUser), await instances('/os-quota-sets/demo')], [1, 10]);
      const tooMuch = await call('PUT', '/os-quota-sets/demo?user_id=someone', { body: { quota_set: { instances: 10 } } });
      assert.deepEqual([tooMuch.status, message(tooMuch)], [400, 'Quota limit 10 for instances must be less than or equal to 9.']);
      const belowGiven = await call('PUT', '/os-quota-sets/demo', { body: { quota_set: { instances: 0 } } });
      assert.deepEqual([belowGiven.status, message(belowGiven)], [400, 'Quota limit 0 for instances must be greater than or equal to already used and reserved 1.']);

      const boot = () => call('POST', '/servers', { body: { server: { name: 'vm', imageRef: IMAGE_ID, flavorRef: '1' } }, as: DEMO });
      assert.equal((await boot()).status, 202);
      const refused = await boot();
      assert.deepEqual([refused.status, message(refused)], [403, 'Quota exceeded for instances: Requested 1, but already used 1 of 1 instances']);
      assert.equal((await call('POST', '/servers', { body: { server: { name: 'vm', imageRef: IMAGE_ID, flavorRef: '1' } }, as: { ...DEMO, userId: 'someone' } })).status, 202, 'other users have the project\'s limit');
      assert.deepEqual(((await call('GET', `/os-quota-sets/demo/detail?user_id=user-of-demo`)).json['quota_set'] as Json)['instances'], { limit: 1, in_use: 1, reserved: 0 });
      assert.deepEqual(((await call('GET', '/os-quota-sets/demo/detail')).json['quota_set'] as Json)['instances'], { limit: 10, in_use: 2, reserved: 0 });

      assert.equal((await call('DELETE', asUser)).status, 202);
      assert.equal(await instances(asUser), 10, 'back on the project\'s limits');
      await call('PUT', asUser, { body: { quota_set: { cores: 5 } } });
      await call('DELETE', '/os-quota-sets/demo');
      assert.equal(((await call('GET', asUser)).json['quota_set'] as Json)['cores'], 20, "a project's reset drops its users' limits too");
    }));

  test("quota class sets: server group quotas from 2.50, network ones gone at 2.50, injected files at 2.57; `default` is every project's defaults", () =>
    withComputeApp(async ({ call }) => {
      const keys = async (version: string) => Object.keys((await call('GET', '/os-quota-class-sets/default', { version })).json['quota_class_set'] as Json).sort();
      const at249 = await keys('2.49');
      assert.deepEqual(at249, [
        'cores', 'fixed_ips', 'floating_ips', 'id', 'injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files', 'instances', 'key_pairs',
        'metadata_items', 'ram', 'security_group_rules', 'security_groups',
      ]);
      const network = ['fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups'];
      const injected = ['injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files'];
      const base = [...at249.filter((name) => !network.includes(name)), 'server_group_members', 'server_groups'].sort();
      assert.deepEqual(await keys('2.50'), base);
      assert.deepEqual(await keys('2.57'), base.filter((name) => !injected.includes(name)));

      const update = (version: string, values: Json) => call('PUT', '/os-quota-class-sets/default', { body: { quota_class_set: values }, version });
      const set = await update('2.1', { instances: 7, server_groups: 3, networks: 1 });
      assert.deepEqual([set.status, (set.json['quota_class_set'] as Json)['id'], (set.json['quota_class_set'] as Json)['server_groups']], [200, undefined, undefined]);
      assert.equal((await update('2.50', { floating_ips: 1 })).status, 400);
      assert.equal((await update('2.57', { injected_files: 1 })).status, 400);
      const defaults = (await call('GET', '/os-quota-sets/demo/defaults', { version: '2.57' })).json['quota_set'] as Json;
      assert.deepEqual([defaults['instances'], defaults['server_groups']], [7, 3]);
      assert.equal(((await call('GET', '/os-quota-sets/demo', { version: '2.57' })).json['quota_set'] as Json)['instances'], 7, 'projects without their own limit follow it');
      await call('PUT', '/os-quota-class-sets/gold', { body: { quota_class_set: { cores: 64 } } });
      assert.deepEqual(((await call('GET', '/os-quota-class-sets/gold')).json['quota_class_set'] as Json)['cores'], 64);
      assert.equal(((await call('GET', '/os-quota-class-sets/gold')).json['quota_class_set'] as Json)['instances'], 10, "another class starts from [quota]'s defaults");
      assert.equal((await call('GET', '/os-quota-class-sets/default', { as: DEMO })).status, 403);
    }));
});

