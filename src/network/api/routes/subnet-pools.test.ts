import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../../test/support/databases.js';
import { ADMIN, create, fault, memberOf, readerOf, withNetworkApi, type Call } from '../../testing/network-api-fixture.js';

type Json = Record<string, unknown>;

const poolsOf = async (call: Call, as = memberOf('demo')) => (await call('GET', '/v2.0/subnetpools', { as })).json['subnetpools'] as Json[];

describe('subnet pool routes', () => {
  test('create derives the version and defaults the bounds; show, list, update, tags and delete', () =>
    withNetworkApi(async (call) => {
      const pool = await create(call, 'subnetpools', 'subnetpool', { name: 'pool', prefixes: ['10.10.0.0/17', '10.10.128.0/17', '10.10.5.0/24'] });
      assert.equal(pool['ip_version'], 4);
      assert.deepEqual(pool['prefixes'], ['10.10.0.0/16'], 'overlapping and adjacent prefixes merged');
      assert.deepEqual([pool['min_prefixlen'], pool['default_prefixlen'], pool['max_prefixlen']], [8, 8, 32]);
      assert.deepEqual([pool['shared'], pool['is_default'], pool['default_quota'], pool['address_scope_id']], [false, false, null, null]);
      assert.equal(pool['project_id'], 'demo');
      assert.equal(pool['revision_number'], 0);
      const v6 = await create(call, 'subnetpools', 'subnetpool', { name: 'v6', prefixes: ['2001:db8::/48'] });
      assert.deepEqual([v6['ip_version'], v6['min_prefixlen'], v6['default_prefixlen'], v6['max_prefixlen']], [6, 64, 64, 128]);
      const path = `/v2.0/subnetpools/${String(pool['id'])}`;
      const updated = await call('PUT', path, { body: { subnetpool: { name: 'renamed', prefixes: ['10.10.0.0/16', '10.20.0.0/16'], default_prefixlen: 24 } } });
      assert.equal(updated.status, 200, JSON.stringify(updated.json));
      const shown = updated.json['subnetpool'] as Json;
      assert.deepEqual([shown['name'], shown['prefixes'], shown['default_prefixlen'], shown['revision_number']], ['renamed', ['10.10.0.0/16', '10.20.0.0/16'], 24, 1]);
      assert.equal((await call('PUT', `${path}/tags/blue`)).status, 201);
      assert.deepEqual(((await call('GET', path)).json['subnetpool'] as Json)['tags'], ['blue']);
      assert.deepEqual((await poolsOf(call)).map((listed) => listed['name']).sort(), ['renamed', 'v6']);
      assert.equal((await call('DELETE', path)).status, 204);
      assert.equal((await call('GET', path)).status, 404);
      assert.equal(fault(await call('GET', path)).type, 'SubnetPoolNotFound');
    }));

  test('subnets take the next free prefix of the length asked, the default length otherwise, until the pool is exhausted', () =>
    withNetworkApi(async (call) => {
      const pool = await create(call, 'subnetpools', 'subnetpool', { name: 'pool', prefixes: ['10.30.0.0/22'], default_prefixlen: 24, max_prefixlen: 28 });
      const network = await create(call, 'networks', 'network', { name: 'net' });
      const subnet = (body: Json) => call('POST', '/v2.0/subnets', { body: { subnet: { network_id: network['id'], ip_version: 4, subnetpool_id: pool['id'], ...body } } });
      const first = (await subnet({})).json['subnet'] as Json;
      assert.deepEqual([first['cidr'], first['subnetpool_id'], first['gateway_ip']], ['10.30.0.0/24', pool['id'], '10.30.0.1']);
      assert.deepEqual(first['allocation_pools'], [{ start: '10.30.0.2', end: '10.30.0.254' }]);
      // The openstack CLI sends --prefix-length as a string; Neutron converts it.
      const small = (await subnet({ prefixlen: '26' })).json['subnet'] as Json;
      assert.equal(small['cidr'], '10.30.1.0/26');
      const next = (await subnet({ prefixlen: 26 })).json['subnet'] as Json;
      assert.equal(next['cidr'], '10.30.1.64/26', 'the fragment left by the last /26 first');
      const specific = await subnet({ cidr: '10.30.3.0/24' });
      assert.equal(specific.status, 201);
      const taken = await subnet({ cidr: '10.30.3.0/25' });
      assert.equal(taken.status, 409);
      assert.equal(fault(taken).type, 'SubnetAllocationError');
      const outside = await subnet({ cidr: '10.99.0.0/24' });
      assert.equal(outside.status, 409);
      assert.equal(((await subnet({ prefixlen: 24 })).json['subnet'] as Json)['cidr'], '10.30.2.0/24');
      const exhausted = await subnet({ prefixlen: 24 });
      assert.equal(exhausted.status, 409);
      assert.equal(fault(exhausted).message, 'Failed to allocate subnet: Insufficient prefix space to allocate subnet size /24.');
      const tooLong = await subnet({ prefixlen: 29 });
      assert.equal(tooLong.status, 400);
      assert.equal(fault(tooLong).type, 'MaxPrefixSubnetAllocationError');
      const inUse = await call('DELETE', `/v2.0/subnetpools/${String(pool['id'])}`);
      assert.equal(inUse.status, 400);
      assert.equal(fault(inUse).type, 'SubnetPoolDeleteError');
      // A deleted subnet gives its prefix back.
      assert.equal((await call('DELETE', `/v2.0/subnets/${String(first['id'])}`)).status, 204);
      assert.equal(((await subnet({ prefixlen: 24 })).json['subnet'] as Json)['cidr'], '10.30.0.0/24');
    }));

  test('use_default_subnetpool takes the default pool of the version; only an administrator marks one; one per version', () =>
    withNetworkApi(async (call) => {
      const network = await create(call, 'networks', 'network', { name: 'net' });
      const subnet = (body: Json) => call('POST', '/v2.0/subnets', { body: { subnet: { network_id: network['id'], ip_version: 4, ...body } } });
      const none = await subnet({ use_default_subnetpool: true });
      assert.equal(none.status, 400);
      assert.equal(fault(none).message, 'Bad subnets request: No default subnetpool found for IPv4.');
      const byMember = await call('POST', '/v2.0/subnetpools', { body: { subnetpool: { prefixes: ['10.40.0.0/16'], is_default: true } } });
      assert.equal(byMember.status, 403);
      const pool = await create(call, 'subnetpools', 'subnetpool', { name: 'default', prefixes: ['10.40.0.0/16'], default_prefixlen: 26, is_default: true, shared: true }, ADMIN);
      const second = await call('POST', '/v2.0/subnetpools', { body: { subnetpool: { prefixes: ['10.50.0.0/16'], is_default: true } }, as: ADMIN });
      assert.equal(second.status, 400);
      assert.equal(fault(second).type, 'InvalidInput');
      const made = await subnet({ use_default_subnetpool: true });
      assert.equal(made.status, 201, JSON.stringify(made.json));
      assert.deepEqual([(made.json['subnet'] as Json)['cidr'], (made.json['subnet'] as Json)['subnetpool_id']], ['10.40.0.0/26', pool['id']]);
      const both = await subnet({ use_default_subnetpool: true, subnetpool_id: pool['id'] });
      assert.equal(both.status, 400);
      const noCidr = await subnet({});
      assert.equal(noCidr.status, 400);
      assert.equal(fault(noCidr).message, 'Bad subnets request: a subnetpool must be specified in the absence of a cidr.');
    }));

  test("another project's private pool is invisible: not listed, 404 to show and to allocate from; a shared one is seen but not changed", () =>
    withNetworkApi(async (call) => {
      const other = memberOf('other');
      const hidden = await create(call, 'subnetpools', 'subnetpool', { name: 'private', prefixes: ['10.60.0.0/16'], default_prefixlen: 24 }, other);
      const shared = await create(call, 'subnetpools', 'subnetpool', { name: 'shared', prefixes: ['10.70.0.0/16'], default_prefixlen: 24, shared: true }, ADMIN);
      assert.deepEqual((await poolsOf(call)).map((pool) => pool['name']), ['shared']);
      const show = await call('GET', `/v2.0/subnetpools/${String(hidden['id'])}`);
      assert.equal(show.status, 404);
      assert.equal(fault(show).type, 'SubnetPoolNotFound');
      assert.equal((await call('DELETE', `/v2.0/subnetpools/${String(hidden['id'])}`)).status, 404);
      const network = await create(call, 'networks', 'network', { name: 'net' });
      const fromHidden = await call('POST', '/v2.0/subnets', { body: { subnet: { network_id: network['id'], ip_version: 4, subnetpool_id: hidden['id'] } } });
      assert.equal(fromHidden.status, 404);
      assert.equal(fault(fromHidden).type, 'SubnetPoolNotFound');
      const fromShared = await call('POST', '/v2.0/subnets', { body: { subnet: { network_id: network['id'], ip_version: 4, subnetpool_id: shared['id'] } } });
      assert.equal(fromShared.status, 201);
      const rename = await call('PUT', `/v2.0/subnetpools/${String(shared['id'])}`, { body: { subnetpool: { name: 'mine' } } });
      assert.equal(rename.status, 403);
      const byMember = await call('POST', '/v2.0/subnetpools', { body: { subnetpool: { prefixes: ['10.80.0.0/16'], shared: true } } });
      assert.equal(byMember.status, 403);
      const byReader = await call('POST', '/v2.0/subnetpools', { body: { subnetpool: { prefixes: ['10.80.0.0/16'] } }, as: readerOf('demo') });
      assert.equal(byReader.status, 403);
    }));

  test('bad pools and bad updates are 400 in the NeutronError format and change nothing', () =>
    withNetworkApi(async (call) => {
      const bad = async (body: Json, type: string) => {
        const reply = await call('POST', '/v2.0/subnetpools', { body: { subnetpool: body } });
        assert.equal(reply.status, 400, JSON.stringify(reply.json));
        assert.equal(fault(reply).type, type);
        return fault(reply).message;
      };
      assert.equal(await bad({ prefixes: [] }, 'EmptySubnetPoolPrefixList'), 'Empty subnet pool prefix list.');
      await bad({ prefixes: ['10.0.0.0/8', '2001:db8::/32'] }, 'PrefixVersionMismatch');
      assert.match(await bad({ prefixes: ['10.0.0.1/24'] }, 'HTTPBadRequest'), /'10\.0\.0\.0\/24' is recommended/);
      assert.equal(await bad({ prefixes: ['10.0.0.0/8'], min_prefixlen: 24, max_prefixlen: 16 }, 'IllegalSubnetPoolPrefixBounds'), 'Illegal prefix bounds: min_prefixlen=24, max_prefixlen=16.');
      await bad({ prefixes: ['10.0.0.0/8'], max_prefixlen: 33 }, 'IllegalSubnetPoolPrefixBounds');
      await bad({ prefixes: ['10.0.0.0/8'], default_prefixlen: 4 }, 'IllegalSubnetPoolPrefixBounds');
      await bad({ prefixes: ['10.0.0.0/8'], min_prefixlen: -1 }, 'HTTPBadRequest');
      await bad({ prefixes: ['10.0.0.0/8'], min_prefixlen: 'eight' }, 'HTTPBadRequest');
      await bad({ prefixes: ['10.0.0.0/8'], ip_version: 4 }, 'HTTPBadRequest');
      await bad({ name: 'no prefixes' }, 'HTTPBadRequest');
      const scoped = await call('POST', '/v2.0/subnetpools', { body: { subnetpool: { prefixes: ['10.0.0.0/8'], address_scope_id: '5b4b0e0f-0000-4000-8000-000000000000' } } });
      assert.equal(scoped.status, 404);
      assert.deepEqual(await poolsOf(call), [], 'no refused create left a pool');

      const pool = await create(call, 'subnetpools', 'subnetpool', { name: 'pool', prefixes: ['10.90.0.0/16'], max_prefixlen: '32' });
      assert.equal(pool['max_prefixlen'], 32);
      const path = `/v2.0/subnetpools/${String(pool['id'])}`;
      const shrink = await call('PUT', path, { body: { subnetpool: { prefixes: ['10.90.0.0/17'] } } });
      assert.equal(shrink.status, 400);
      assert.equal(fault(shrink).message, 'Illegal update to prefixes: Existing prefixes must be a subset of the new prefixes.');
      assert.equal((await call('PUT', path, { body: { subnetpool: { shared: true } } })).status, 400, 'shared is fixed at creation');
      assert.equal((await call('PUT', path, { body: { subnetpool: { min_prefixlen: 30, max_prefixlen: 24 } } })).status, 400);
      const after = (await call('GET', path)).json['subnetpool'] as Json;
      assert.deepEqual([after['prefixes'], after['min_prefixlen'], after['max_prefixlen'], after['revision_number']], [['10.90.0.0/16'], 8, 32, 0]);
    }));

  test('default_quota caps the addresses a project takes from the pool', () =>
    withNetworkApi(async (call) => {
      const pool = await create(call, 'subnetpools', 'subnetpool', { name: 'pool', prefixes: ['10.95.0.0/16'], default_prefixlen: 24, default_quota: 512 });
      const network = await create(call, 'networks', 'network', { name: 'net' });
      const subnet = () => call('POST', '/v2.0/subnets', { body: { subnet: { network_id: network['id'], ip_version: 4, subnetpool_id: pool['id'] } } });
      assert.equal((await subnet()).status, 201);
      assert.equal((await subnet()).status, 201);
      const over = await subnet();
      assert.equal(over.status, 409);
      assert.equal(fault(over).type, 'SubnetPoolQuotaExceeded');
    }));
});

// Concurrent allocations from one pool on each engine: every subnet gets its own prefix.
for (const dialect of DIALECTS) {
  describe(`subnet pool allocation on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('concurrent subnet creates from one pool never get the same or overlapping prefixes', () =>
      withNetworkApi(
        async (call) => {
          const pool = await create(call, 'subnetpools', 'subnetpool', { name: 'pool', prefixes: ['10.100.0.0/20'], default_prefixlen: 24 });
          const networks = await Promise.all([1, 2, 3, 4].map((n) => create(call, 'networks', 'network', { name: `net${n}` })));
          const replies = await Promise.all(
            Array.from({ length: 12 }, (_, index) =>
              call('POST', '/v2.0/subnets', { body: { subnet: { network_id: networks[index % 4]?.['id'], ip_version: 4, subnetpool_id: pool['id'] } } }),
            ),
          );
          for (const reply of replies) assert.equal(reply.status, 201, JSON.stringify(reply.json));
          const cidrs = replies.map((reply) => (reply.json['subnet'] as Json)['cidr']);
          assert.equal(new Set(cidrs).size, 12, `distinct prefixes: ${cidrs.join(' ')}`);
          const listed = ((await call('GET', '/v2.0/subnets')).json['subnets'] as Json[]).map((subnet) => subnet['cidr']).sort();
          assert.deepEqual(listed, Array.from({ length: 12 }, (_, index) => `10.100.${index}.0/24`).sort());
        },
        { dialect },
      ));
  });
}
