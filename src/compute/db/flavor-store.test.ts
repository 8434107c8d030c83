import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { withComputeDb } from './testing/compute-db.js';
import { DEFAULT_FLAVORS, ensureDefaultFlavors } from '../flavors/default-flavors.js';
import type { Flavor, FlavorListQuery } from '../flavors/flavor.js';
import { FlavorStore } from './flavor-store.js';

const ADMIN = { isAdmin: true, projectId: 'admin-project' };
const OWNER = { isAdmin: false, projectId: 'owner' };
const OTHER = { isAdmin: false, projectId: 'other' };
const ALL: FlavorListQuery = { isPublic: null, hideDisabled: false, sortKey: 'flavorid', sortDir: 'asc', limit: 1000 };
const ids = (flavors: readonly Flavor[]) => flavors.map((flavor) => flavor.flavorid);

for (const dialect of DIALECTS) {
  describe(`flavor manager on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('create: Nova defaults, string or numeric ids, generated uuid; duplicates 409; bad values 400', () =>
      withComputeDb(dialect, async (db) => {
        const flavors = new FlavorStore(db);
        const tiny = await flavors.create({ name: ' tiny ', flavorid: 7, memory_mb: '128', vcpus: 1, root_gb: 0 });
        assert.deepEqual(tiny, {
          flavorid: '7',
          name: 'tiny',
          vcpus: 1,
          memory_mb: 128,
          root_gb: 0,
          ephemeral_gb: 0,
          swap: 0,
          rxtx_factor: 1,
          is_public: true,
          disabled: false,
          description: null,
          extra_specs: {},
        });
        assert.deepEqual(await flavors.get(ADMIN, '7'), tiny);
        const generated = await flavors.create({ name: 'gen', memory_mb: 1, vcpus: 1, root_gb: 1, swap: 512, rxtx_factor: '2.5' });
        assert.match(generated.flavorid, /^[0-9a-f-]{36}$/);
        assert.equal(generated.rxtx_factor, 2.5);
        await assert.rejects(flavors.create({ name: 'x', flavorid: '7', memory_mb: 1, vcpus: 1, root_gb: 1 }), {
          status: 409,
          message: 'Flavor with ID 7 already exists.',
        });
        await assert.rejects(flavors.create({ name: 'tiny', memory_mb: 1, vcpus: 1, root_gb: 1 }), {
          status: 409,
          message: 'Flavor with name tiny already exists.',
        });
        await assert.rejects(flavors.create({ name: 'y', memory_mb: 0, vcpus: 1, root_gb: 1 }), {
          status: 400,
          message: 'Invalid input received: ram must be >= 1',
        });
        await assert.rejects(flavors.create({ name: 'y', memory_mb: 1, vcpus: 1, root_gb: 1, rxtx_factor: 0 }), { status: 400 });
        await assert.rejects(flavors.create({ name: '   ', memory_mb: 1, vcpus: 1, root_gb: 1 }), { status: 400 });
        await assert.rejects(flavors.get(ADMIN, 'm1.nope'), { status: 404, message: 'Flavor m1.nope could not be found.' });
      }));

    test('private flavors: invisible without access, visible once shared; list filters', () =>
      withComputeDb(dialect, async (db) => {
        const flavors = new FlavorStore(db);
        await flavors.create({ name: 'pub', flavorid: 'a', memory_mb: 512, vcpus: 1, root_gb: 1 });
        await flavors.create({ name: 'priv', flavorid: 'b', memory_mb: 2048, vcpus: 2, root_gb: 20, is_public: false });
        await assert.rejects(flavors.get(OWNER, 'b'), { status: 404 });
        assert.deepEqual(ids(await flavors.list(OWNER, { ...ALL, isPublic: true })), ['a']);
        await flavors.addAccess('b', 'owner');
        await assert.rejects(flavors.addAccess('b', 'owner'), { status: 409 });
        assert.equal((await flavors.get(OWNER, 'b')).name, 'priv');
        await assert.rejects(flavors.get(OTHER, 'b'), { status: 404 });
        assert.deepEqual(ids(await flavors.list(OWNER, { ...ALL, isPublic: true })), ['a', 'b']);
        assert.deepEqual(ids(await flavors.list(OTHER, { ...ALL, isPublic: true })), ['a']);
        assert.deepEqual(ids(await flavors.list(ADMIN, { ...ALL, isPublic: true })), ['a'], 'admin default: public and own project\'s');
        assert.deepEqual(ids(await flavors.list(ADMIN, { ...ALL, isPublic: false })), ['b']);
        assert.deepEqual(ids(await flavors.list(ADMIN, ALL)), ['a', 'b']);
        assert.deepEqual(ids(await flavors.list(ADMIN, { ...ALL, minMemoryMb: 1024 })), ['b']);
        assert.deepEqual(ids(await flavors.list(ADMIN, { ...ALL, minRootGb: 2 })), ['b']);
        assert.deepEqual(await flavors.accessList('b'), ['owner']);
        await flavors.removeAccess('b', 'owner');
        await assert.rejects(flavors.removeAccess('b', 'owner'), { status: 404, message: 'Flavor access not found for b / owner combination.' });
      }));

    test('sorting and marker pagination over every sort key', () =>
      withComputeDb(dialect, async (db) => {
        const flavors = new FlavorStore(db);
        await ensureDefaultFlavors(flavors);
        assert.deepEqual(await ensureDefaultFlavors(flavors), [], 'only on an empty table');
        const byRamDesc = await flavors.list(ADMIN, { ...ALL, sortKey: 'memory_mb', sortDir: 'desc' });
        assert.deepEqual(
          byRamDesc.map((flavor) => flavor.name),
          ['m1.xlarge', 'm1.large', 'm1.medium', 'm1.small', 'm1.tiny'],
        );
        const page1 = await flavors.list(ADMIN, { ...ALL, limit: 2 });
        assert.deepEqual(ids(page1), ['1', '2']);
        const page2 = await flavors.list(ADMIN, { ...ALL, limit: 2, marker: '2' });
        assert.deepEqual(ids(page2), ['3', '4']);
        const vcpuPage = await flavors.list(ADMIN, { ...ALL, sortKey: 'vcpus', limit: 10, marker: '1' });
        assert.deepEqual(ids(vcpuPage), ['2', '3', '4', '5'], 'ties on the sort key break on the id');
        const byDescription = await flavors.list(ADMIN, { ...ALL, sortKey: 'description', marker: '3' });
        assert.deepEqual(ids(byDescription), ['4', '5']);
        await assert.rejects(flavors.list(ADMIN, { ...ALL, marker: 'nope' }), { status: 400, message: 'marker [nope] not found' });
        assert.equal(DEFAULT_FLAVORS.length, (await flavors.list(ADMIN, ALL)).length);
      }));

    test('extra specs, description and delete', () =>
      withComputeDb(dialect, async (db) => {
        const flavors = new FlavorStore(db);
        await flavors.create({ name: 'f', flavorid: 'f', memory_mb: 1, vcpus: 1, root_gb: 1 });
        await flavors.setExtraSpecs('f', { 'hw:cpu_policy': 'dedicated', b: '1' });
        await flavors.setExtraSpecs('f', { b: '2' });
        assert.deepEqual((await flavors.get(ADMIN, 'f')).extra_specs, { b: '2', 'hw:cpu_policy': 'dedicated' });
        await flavors.deleteExtraSpec('f', 'b');
        await assert.rejects(flavors.deleteExtraSpec('f', 'b'), { status: 404, message: 'Flavor f has no extra specs with key b.' });
        await assert.rejects(flavors.setExtraSpecs('nope', { a: 'b' }), { status: 404 });
        assert.equal((await flavors.updateDescription('f', 'small one')).description, 'small one');
        await flavors.delete('f');
        await assert.rejects(flavors.get(ADMIN, 'f'), { status: 404 });
        await assert.rejects(flavors.delete('f'), { status: 404 });
        await flavors.create({ name: 'f', flavorid: 'f', memory_mb: 1, vcpus: 1, root_gb: 1 });
        assert.deepEqual((await flavors.get(ADMIN, 'f')).extra_specs, {}, 'specs went with the deleted flavor');
      }));
  });
}
