import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RequestContext } from '../../../common/context/request-context.js';
import { ADMIN, memberOf } from '../../images/testing/image-fixture.js';
import { OWNER, withImageApp, type Call } from './image-test-app.js';

const OTHER = memberOf('other-project');
const NS = '/v2/metadefs/namespaces';
const STAMP = '2026-11-24T10:00:00Z';

/** The metadef routes with the caller in a test-only header (see image-test-app.ts). */
function withRoutes(fn: (call: Call) => Promise<void>): Promise<void> {
  return withImageApp(({ call }) => fn(call));
}

/** Creates a namespace as the administrator and fails the test unless it is 201. */
async function createNamespace(call: Call, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const created = await call('POST', NS, { body, as: ADMIN });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  return created.json;
}

async function status(call: Call, method: string, path: string, as: RequestContext, body?: unknown): Promise<number> {
  return (await call(method, path, { as, ...(body === undefined ? {} : { body }) })).status;
}

describe('image metadefs routes', () => {
  test("namespaces: create, show, list, update (rename), delete in Glance's shapes; duplicates 409, protected 403, bad input 400 changing nothing", () =>
    withRoutes(async (call) => {
      const created = await call('POST', NS, {
        as: ADMIN,
        body: {
          namespace: 'OS::Compute::Test',
          display_name: 'Test',
          description: 'Tempest',
          visibility: 'public',
          protected: true,
          resource_type_associations: [{ name: 'OS::Glance::Image', prefix: 'hw_' }],
          properties: { cpu: { title: 'CPU', type: 'string', enum: ['a', 'b'] } },
          objects: [{ name: 'Obj', required: ['x'], properties: { x: { title: 'X', type: 'integer' } } }],
          tags: [{ name: 'fast' }],
        },
      });
      assert.equal(created.status, 201);
      assert.equal(created.headers['location'], `${NS}/OS::Compute::Test`);
      const shown = await call('GET', `${NS}/OS::Compute::Test`, { as: OTHER });
      assert.equal(shown.status, 200, 'a public namespace is readable by any project');
      assert.deepEqual(shown.json, {
        namespace: 'OS::Compute::Test',
        display_name: 'Test',
        description: 'Tempest',
        visibility: 'public',
        protected: true,
        owner: 'admin-project',
        created_at: STAMP,
        updated_at: STAMP,
        self: `${NS}/OS::Compute::Test`,
        schema: '/v2/schemas/metadefs/namespace',
        resource_type_associations: [{ name: 'OS::Glance::Image', prefix: 'hw_', created_at: STAMP, updated_at: STAMP }],
        properties: { cpu: { name: 'cpu', title: 'CPU', type: 'string', enum: ['a', 'b'] } },
        objects: [
          {
            name: 'Obj',
            required: ['x'],
            properties: { x: { title: 'X', type: 'integer' } },
            created_at: STAMP,
            updated_at: STAMP,
            self: `${NS}/OS::Compute::Test/objects/Obj`,
            schema: '/v2/schemas/metadefs/object',
          },
        ],
        tags: [{ name: 'fast' }],
      });
      assert.deepEqual(created.json, shown.json);

      const listed = await call('GET', NS, { as: OTHER });
      assert.deepEqual(Object.keys(listed.json).sort(), ['first', 'namespaces', 'schema']);
      assert.deepEqual((listed.json['namespaces'] as { namespace: string }[]).map((namespace) => namespace.namespace), ['OS::Compute::Test']);

      const duplicate = await call('POST', NS, { as: ADMIN, body: { namespace: 'OS::Compute::Test' } });
      assert.deepEqual(duplicate.json, { code: '409 Conflict', title: 'Conflict', message: 'The metadata definition namespace=OS::Compute::Test already exists.' });
      const protectedDelete = await call('DELETE', `${NS}/OS::Compute::Test`, { as: ADMIN });
      assert.deepEqual([protectedDelete.status, protectedDelete.json['message']], [403, 'Metadata definition namespace OS::Compute::Test is protected and cannot be deleted.']);
      assert.equal(await status(call, 'DELETE', `${NS}/OS::Compute::Test/objects`, ADMIN), 403, 'a protected namespace is not emptied either');

      for (const body of [{}, { namespace: 'x', visibility: 'shared' }, { namespace: 'x', color: 'red' }, { namespace: 'x'.repeat(81) }, { namespace: 'x', properties: { p: { type: 'string' } } }]) {
        const refused = await call('POST', NS, { as: ADMIN, body });
        assert.equal(refused.status, 400, JSON.stringify(body));
        assert.equal(refused.json['title'], 'Bad Request');
      }
      assert.equal((await call('POST', NS, { as: ADMIN, body: { namespace: 'x', self: '/y' } })).json['message'], "Attribute 'self' is read-only.");
      assert.equal(await status(call, 'GET', `${NS}/x`, ADMIN), 404, 'nothing refused was created');

      const updated = await call('PUT', `${NS}/OS::Compute::Test`, { as: ADMIN, body: { namespace: 'OS::Compute::Renamed', protected: false } });
      assert.equal(updated.status, 200);
      assert.deepEqual([updated.json['namespace'], updated.json['visibility'], updated.json['protected']], ['OS::Compute::Renamed', 'private', false], "Glance's update defaults");
      assert.equal(await status(call, 'GET', `${NS}/OS::Compute::Test`, ADMIN), 404);
      assert.equal((await call('GET', `${NS}/OS::Compute::Renamed/objects/Obj`, { as: ADMIN })).json['name'], 'Obj', 'what it holds follows the rename');
      await createNamespace(call, { namespace: 'Other' });
      assert.equal(await status(call, 'PUT', `${NS}/Other`, ADMIN, { namespace: 'OS::Compute::Renamed' }), 409);

      assert.equal(await status(call, 'DELETE', `${NS}/OS::Compute::Renamed`, ADMIN), 204);
      const gone = await call('GET', `${NS}/OS::Compute::Renamed`, { as: ADMIN });
      assert.deepEqual(gone.json, { code: '404 Not Found', title: 'Not Found', message: 'Metadata definition namespace=OS::Compute::Renamed was not found.' });
    }));

  test('a private namespace is invisible to other projects; members read, only the administrator writes', () =>
    withRoutes(async (call) => {
      await createNamespace(call, { namespace: 'Private', owner: 'owner-project' });
      await createNamespace(call, { namespace: 'Public', visibility: 'public', owner: 'owner-project' });
      assert.equal(await status(call, 'GET', `${NS}/Private`, OWNER), 200, 'the owning project reads its private namespace');
      assert.equal(await status(call, 'GET', `${NS}/Private`, OTHER), 404);
      assert.equal(await status(call, 'GET', `${NS}/Private/objects`, OTHER), 404);
      assert.equal(await status(call, 'PUT', `${NS}/Private`, OTHER, { namespace: 'Private' }), 404, 'invisible: 404 before any policy');
      const names = async (as: RequestContext) => ((await call('GET', NS, { as })).json['namespaces'] as { namespace: string }[]).map((n) => n.namespace).sort();
      assert.deepEqual(await names(OTHER), ['Public']);
      assert.deepEqual(await names(OWNER), ['Private', 'Public']);

      const refused = await call('PUT', `${NS}/Private`, { as: OWNER, body: { namespace: 'Private', visibility: 'public' } });
      assert.deepEqual([refused.status, refused.json['message']], [403, 'You are not authorized to complete modify_metadef_namespace action.']);
      assert.equal(await status(call, 'POST', NS, OWNER, { namespace: 'Mine' }), 403);
      assert.equal(await status(call, 'DELETE', `${NS}/Public`, OTHER), 403, 'visible but not theirs to delete');
      assert.equal(await status(call, 'POST', `${NS}/Public/objects`, OTHER, { name: 'o' }), 403);
      assert.equal(await status(call, 'POST', `${NS}/Public/tags/t`, OWNER), 403);
      assert.equal(await status(call, 'POST', `${NS}/Public/resource_types`, OWNER, { name: 'OS::Nova::Flavor' }), 403);
      assert.equal((await call('GET', `${NS}/Private`, { as: OWNER })).json['visibility'], 'private', 'refused writes changed nothing');
      assert.equal(await status(call, 'GET', `${NS}/Public/objects`, OWNER), 200);
      assert.deepEqual(await names(OTHER), ['Public']);
    }));

  test('objects, properties, tags (one and several) and resource type associations: CRUD, 409 on duplicates, 404 on unknown, 400 on bad input', () =>
    withRoutes(async (call) => {
      await createNamespace(call, { namespace: 'N' });
      const as = ADMIN;

      const object = await call('POST', `${NS}/N/objects`, { as, body: { name: 'o1', description: 'd' } });
      assert.equal(object.status, 201);
      assert.deepEqual(object.json, { name: 'o1', description: 'd', created_at: STAMP, updated_at: STAMP, self: `${NS}/N/objects/o1`, schema: '/v2/schemas/metadefs/object' });
      assert.equal((await call('POST', `${NS}/N/objects`, { as, body: { name: 'o1' } })).json['message'], 'A metadata definition object with name=o1 already exists in namespace=N.');
      assert.equal(await status(call, 'POST', `${NS}/N/objects`, as, { name: 'o2', required: ['a', 'a'] }), 400, 'required names each once');
      const renamed = await call('PUT', `${NS}/N/objects/o1`, { as, body: { name: 'o9' } });
      assert.deepEqual([renamed.status, renamed.json['name'], renamed.json['description']], [200, 'o9', undefined], 'PUT replaces the whole object');
      assert.deepEqual((await call('GET', `${NS}/N/objects`, { as })).json, { objects: [{ ...renamed.json }], schema: '/v2/schemas/metadefs/objects' });
      assert.equal(await status(call, 'DELETE', `${NS}/N/objects/o9`, as), 204);
      const missing = await call('GET', `${NS}/N/objects/o9`, { as });
      assert.deepEqual([missing.status, missing.json['message']], [404, 'The metadata definition object with name=o9 was not found in namespace=N.']);

      const property = await call('POST', `${NS}/N/properties`, { as, body: { name: 'p', title: 'P', type: 'string', enum: ['kvm', 'qemu'] } });
      assert.deepEqual([property.status, property.json], [201, { name: 'p', title: 'P', type: 'string', enum: ['kvm', 'qemu'] }]);
      assert.equal(await status(call, 'POST', `${NS}/N/properties`, as, { name: 'p', title: 'P', type: 'string' }), 409);
      assert.equal(await status(call, 'POST', `${NS}/N/properties`, as, { name: 'q', title: 'Q', type: 'text' }), 400);
      assert.equal(await status(call, 'POST', `${NS}/N/properties`, as, { name: 'q', type: 'string' }), 400, 'a title is required');
      assert.equal(await status(call, 'POST', `${NS}/N/properties`, as, { name: 'q', title: 'Q', type: 'object', required: [] }), 400, "the properties route's required lists at least one name");
      const changed = await call('PUT', `${NS}/N/properties/p`, { as, body: { name: 'p', title: 'P2', type: 'integer', minimum: 1 } });
      assert.deepEqual(changed.json, { name: 'p', title: 'P2', type: 'integer', minimum: 1 });
      assert.deepEqual((await call('GET', `${NS}/N/properties`, { as })).json, { properties: { p: changed.json } });
      assert.equal(await status(call, 'DELETE', `${NS}/N/properties/p`, as), 204);
      assert.deepEqual((await call('GET', `${NS}/N/properties`, { as })).json, { properties: {} });

      const tags = await call('POST', `${NS}/N/tags`, { as, body: { tags: [{ name: 'a' }, { name: 'b' }] } });
      assert.deepEqual([tags.status, tags.json], [201, { tags: [{ name: 'a' }, { name: 'b' }] }]);
      const again = await call('POST', `${NS}/N/tags`, { as, body: { tags: [{ name: 'c' }, { name: 'C' }] } });
      assert.deepEqual([again.status, again.json['message']], [409, 'A metadata tag with name=C already exists in namespace=N. (Please note that metadata tag names are case insensitive).']);
      const tagNames = async () => ((await call('GET', `${NS}/N/tags`, { as })).json['tags'] as { name: string }[]).map((tag) => tag.name).sort();
      assert.deepEqual(await tagNames(), ['a', 'b'], 'a refused create-multiple changed nothing');
      await call('POST', `${NS}/N/tags`, { as, body: { tags: [{ name: 'c' }] }, headers: { 'x-openstack-append': 'true' } });
      assert.deepEqual(await tagNames(), ['a', 'b', 'c'], 'appended');
      await call('POST', `${NS}/N/tags`, { as, body: { tags: [{ name: 'd' }] } });
      assert.deepEqual(await tagNames(), ['d'], 'without append the new tags replace the old');
      const one = await call('POST', `${NS}/N/tags/e`, { as });
      assert.deepEqual([one.status, one.json], [201, { name: 'e', created_at: STAMP, updated_at: STAMP }]);
      assert.equal(await status(call, 'POST', `${NS}/N/tags/E`, as), 409);
      assert.equal((await call('PUT', `${NS}/N/tags/e`, { as, body: { name: 'f' } })).json['name'], 'f');
      assert.equal(await status(call, 'PUT', `${NS}/N/tags/f`, as, { name: 'd' }), 409);
      assert.equal(await status(call, 'DELETE', `${NS}/N/tags/f`, as), 204);
      assert.equal(await status(call, 'DELETE', `${NS}/N/tags`, as), 204);
      assert.deepEqual(await tagNames(), []);

      const types = (await call('GET', '/v2/metadefs/resource_types', { as: OTHER })).json['resource_types'] as { name: string }[];
      assert.ok(types.some((type) => type.name === 'OS::Glance::Image'), 'the shipped resource types are there');
      const association = await call('POST', `${NS}/N/resource_types`, { as, body: { name: 'OS::Nova::Flavor', prefix: 'hw:' } });
      assert.deepEqual([association.status, association.json], [201, { name: 'OS::Nova::Flavor', prefix: 'hw:', created_at: STAMP, updated_at: STAMP }]);
      assert.equal(await status(call, 'POST', `${NS}/N/resource_types`, as, { name: 'OS::Nova::Flavor' }), 409);
      assert.equal(await status(call, 'POST', `${NS}/N/resource_types`, as, { name: 'OS::Custom::Thing' }), 201, 'a new resource type is created');
      assert.ok(((await call('GET', '/v2/metadefs/resource_types', { as })).json['resource_types'] as { name: string }[]).some((type) => type.name === 'OS::Custom::Thing'));
      const listed = (await call('GET', `${NS}/N/resource_types`, { as })).json['resource_type_associations'] as { name: string }[];
      assert.deepEqual(listed.map((type) => type.name).sort(), ['OS::Custom::Thing', 'OS::Nova::Flavor']);
      assert.equal(await status(call, 'DELETE', `${NS}/N/resource_types/OS::Nova::Flavor`, as), 204);
      assert.equal(await status(call, 'DELETE', `${NS}/N/resource_types/OS::Nova::Flavor`, as), 404);
      assert.equal(await status(call, 'DELETE', `${NS}/N/resource_types/OS::No::Such`, as), 404);
      const filtered = await call('GET', `${NS}?resource_types=OS::Custom::Thing`, { as });
      assert.deepEqual((filtered.json['namespaces'] as { namespace: string }[]).map((n) => n.namespace), ['N']);
      assert.deepEqual((await call('GET', `${NS}?resource_types=OS::Nova::Flavor`, { as })).json['namespaces'], []);
    }));

  test('listing pages with limit and marker; bad query parameters are 400', () =>
    withRoutes(async (call) => {
      for (const name of ['a', 'b', 'c']) await createNamespace(call, { namespace: name, visibility: 'public' });
      const first = await call('GET', `${NS}?limit=2&sort_key=namespace&sort_dir=asc`, { as: OTHER });
      assert.deepEqual((first.json['namespaces'] as { namespace: string }[]).map((n) => n.namespace), ['a', 'b']);
      assert.equal(first.json['next'], `${NS}?limit=2&sort_key=namespace&sort_dir=asc&marker=b`);
      const next = await call('GET', String(first.json['next']), { as: OTHER });
      assert.deepEqual((next.json['namespaces'] as { namespace: string }[]).map((n) => n.namespace), ['c']);
      assert.equal(next.json['next'], undefined);
      for (const query of ['limit=-1', 'limit=x', 'sort_dir=up', 'visibility=shared', 'sort_key=owner']) {
        assert.equal(await status(call, 'GET', `${NS}?${query}`, OTHER), 400, query);
      }
      assert.equal(await status(call, 'GET', `${NS}?marker=nope`, OTHER), 404);
    }));

  test('the ten metadef JSON schemas are served under their names', () =>
    withRoutes(async (call) => {
      const names: Record<string, string> = {
        namespace: 'namespace',
        namespaces: 'namespaces',
        object: 'object',
        objects: 'objects',
        property: 'property',
        properties: 'properties',
        tag: 'tag',
        tags: 'tags',
        resource_type: 'resource_type_association',
        resource_types: 'resource_type_associations',
      };
      for (const [path, name] of Object.entries(names)) {
        const schema = await call('GET', `/v2/schemas/metadefs/${path}`, { as: OTHER });
        assert.deepEqual([schema.status, schema.json['name']], [200, name], path);
      }
      assert.equal(await status(call, 'GET', '/v2/schemas/metadefs/toString', OTHER), 404);
    }));
});
