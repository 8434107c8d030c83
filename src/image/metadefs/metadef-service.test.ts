import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { NimbusError } from '../../common/errors/errors.js';
import { ADMIN, memberOf, withImages } from '../images/testing/image-fixture.js';
import type { NamespaceFields } from './metadef.js';

const OWNER = memberOf('owner-project');
const OTHER = memberOf('other-project');
const EMPTY = { items: [], associations: [] };

function fields(namespace: string, changes: Partial<NamespaceFields> = {}): NamespaceFields {
  return { namespace, display_name: null, description: null, visibility: 'private', protected: false, owner: 'owner-project', ...changes };
}

/** The status of the NimbusError `pending` rejects with. */
async function statusOf(pending: Promise<unknown>): Promise<number> {
  try {
    await pending;
  } catch (error) {
    if (error instanceof NimbusError) return error.status;
    throw error;
  }
  return 0;
}

// The SQL of the metadefs on each engine: unique names by key (tags case-insensitively), booleans,
// renames that keep the contents, and what deleting a namespace takes with it.
for (const dialect of DIALECTS) {
  describe(`metadef service on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('namespaces: visibility, duplicates, renames and deletes with their contents', () =>
      withImages(dialect, async ({ images }) => {
        const { metadefs } = images;
        const created = await metadefs.createNamespace(fields('N', { protected: true }), {
          items: [
            { kind: 'object', item: { name: 'o', body: { required: ['a'] } } },
            { kind: 'tag', item: { name: 'Tag', body: {} } },
          ],
          associations: [{ name: 'OS::Glance::Image', prefix: 'hw_' }, { name: 'OS::New::Type' }],
        });
        assert.deepEqual([created.protected, created.visibility, created.owner], [true, 'private', 'owner-project']);
        assert.equal((await metadefs.namespace(OWNER, 'N')).id, created.id);
        assert.equal(await statusOf(metadefs.namespace(OTHER, 'N')), 404);
        assert.equal(await statusOf(metadefs.createNamespace(fields('N'), EMPTY)), 409);
        assert.equal(await statusOf(metadefs.createNamespace(fields('M'), { items: [{ kind: 'tag', item: { name: 'a', body: {} } }, { kind: 'tag', item: { name: 'A', body: {} } }], associations: [] })), 409);
        assert.equal(await statusOf(metadefs.namespace(ADMIN, 'M')), 404, 'a refused create leaves nothing behind');
        assert.ok((await metadefs.resourceTypes()).some((type) => type.name === 'OS::New::Type'));
        assert.equal(await statusOf(metadefs.deleteNamespace(created)), 403, 'protected');

        const renamed = await metadefs.updateNamespace(created, fields('R', { visibility: 'public' }));
        assert.deepEqual([renamed.id, renamed.visibility, renamed.protected], [created.id, 'public', false]);
        assert.deepEqual((await metadefs.items(renamed, 'object')).map((object) => [object.name, object.body]), [['o', { required: ['a'] }]]);
        assert.equal((await metadefs.namespace(OTHER, 'R')).namespace, 'R', 'public now');
        await metadefs.createNamespace(fields('S'), EMPTY);
        assert.equal(await statusOf(metadefs.updateNamespace(renamed, fields('S'))), 409);

        assert.equal(await statusOf(metadefs.createItem(renamed, 'tag', { name: 'TAG', body: {} })), 409, 'tag names are case insensitive');
        assert.equal((await metadefs.item(renamed, 'tag', 'tag')).name, 'Tag');
        await metadefs.createItem(renamed, 'object', { name: 'O', body: {} });
        assert.equal(await statusOf(metadefs.updateItem(renamed, 'object', 'O', { name: 'o', body: {} })), 409);
        assert.equal(await statusOf(metadefs.updateItem(renamed, 'object', 'x', { name: 'y', body: {} })), 404);
        assert.deepEqual((await metadefs.createTags(renamed, ['b', 'c'], true)).map((tag) => tag.name), ['b', 'c']);
        assert.deepEqual((await metadefs.items(renamed, 'tag')).map((tag) => tag.name).sort(), ['Tag', 'b', 'c']);

        await metadefs.deleteNamespace(renamed);
        assert.equal(await statusOf(metadefs.namespace(ADMIN, 'R')), 404);
        const again = await metadefs.createNamespace(fields('R'), EMPTY);
        assert.deepEqual([await metadefs.items(again, 'object'), await metadefs.items(again, 'tag'), await metadefs.associations(again)], [[], [], []], 'nothing of the old one is left');
      }));

    test('listing: visibility, resource type filter, sort and pages', () =>
      withImages(dialect, async ({ images, advance }) => {
        const { metadefs } = images;
        for (const [name, visibility, owner] of [['a', 'public', 'x'], ['b', 'private', 'owner-project'], ['c', 'private', 'x'], ['d', 'private', null]] as const) {
          await metadefs.createNamespace(fields(name, { visibility, owner }), name === 'b' ? { items: [], associations: [{ name: 'OS::Nova::Flavor' }] } : EMPTY);
          advance(1000);
        }
        const names = async (context = OWNER, query: Parameters<typeof metadefs.listNamespaces>[1] = { sort: { key: 'created_at', dir: 'desc' } }) =>
          (await metadefs.listNamespaces(context, query)).namespaces.map((namespace) => namespace.namespace);
        assert.deepEqual(await names(), ['d', 'b', 'a'], 'public, ownerless and its own, newest first');
        assert.deepEqual(await names(ADMIN), ['d', 'c', 'b', 'a']);
        assert.deepEqual(await names(OWNER, { sort: { key: 'namespace', dir: 'asc' }, resourceTypes: ['OS::Nova::Flavor'] }), ['b']);
        assert.deepEqual(await names(OWNER, { sort: { key: 'namespace', dir: 'asc' }, visibility: 'private' }), ['b', 'd']);
        const page = await metadefs.listNamespaces(OWNER, { sort: { key: 'namespace', dir: 'asc' }, limit: 2 });
        assert.equal(page.next, 'b');
        assert.deepEqual(await names(OWNER, { sort: { key: 'namespace', dir: 'asc' }, limit: 2, marker: 'b' }), ['d']);
        assert.equal(await statusOf(metadefs.listNamespaces(OTHER, { sort: { key: 'namespace', dir: 'asc' }, marker: 'b' })), 404, "another project's private marker");
      }));
  });
}
