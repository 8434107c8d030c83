import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { BadRequest, Conflict, Forbidden, NotFound, Unauthorized, type NimbusError } from '../../common/errors/errors.js';
import { withIdentity } from './testing/identity-fixture.js';

/** Asserts the promise fails with this error class and exact message. */
async function rejectsWith(promise: Promise<unknown>, type: new (...args: never[]) => NimbusError, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    assert.equal(error.message, message);
    return true;
  });
}

for (const dialect of DIALECTS) {
  describe(`identity resources on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('projects: create, read, filter, update, and Keystone ids', () =>
      withIdentity(dialect, async ({ managers: { projects } }) => {
        const demo = await projects.create({ name: ' demo ', description: 'Demo', extra: { owner: 'ops' } });
        assert.match(demo.id, /^[0-9a-f]{32}$/);
        assert.deepEqual(
          { ...demo, id: '' },
          { id: '', name: 'demo', domain_id: 'default', parent_id: 'default', description: 'Demo', enabled: true, is_domain: false, tags: [], extra: { owner: 'ops' } },
        );
        const child = await projects.create({ name: 'child', parent_id: demo.id, tags: ['a'] });
        assert.equal(child.parent_id, demo.id);
        assert.deepEqual((await projects.list({ parent_id: 'default' })).map((p) => p.name), ['demo']);
        assert.deepEqual((await projects.list({ name: 'child' })).map((p) => p.id), [child.id]);
        assert.deepEqual((await projects.list({ is_domain: true })), []);
        const updated = await projects.update(demo.id, { description: 'Changed', extra: { size: 2 } });
        assert.equal(updated.description, 'Changed');
        assert.deepEqual(updated.extra, { owner: 'ops', size: 2 });
        assert.deepEqual((await projects.subtree(demo.id)).map((p) => p.id), [child.id]);
        assert.deepEqual((await projects.ancestors(child.id)).map((p) => p.id), [demo.id]);
      }));

    test('projects: duplicates 409, unknown ids 404, hierarchy rules 403/400, bad input changes nothing', () =>
      withIdentity(dialect, async ({ managers: { projects, domains }, log }) => {
        const demo = await projects.create({ name: 'demo' });
        await assert.rejects(projects.create({ name: 'demo' }), (error: unknown) => {
          assert.ok(error instanceof Conflict);
          assert.match(error.message, /^Conflict occurred attempting to store project - it is not permitted to have two projects with either the same name or same id in the same domain: name is demo, project id [0-9a-f]{32}\.$/);
          return true;
        });
        const other = await projects.create({ name: 'other' });
        await assert.rejects(projects.update(other.id, { name: 'demo' }), Conflict);
        await rejectsWith(projects.get('nope'), NotFound, 'Could not find project: nope.');
        assert.deepEqual([await projects.exists(demo.id), await projects.exists('nope'), await projects.exists('../../etc')], [true, false, false]);
        await rejectsWith(projects.create({ name: 'x', parent_id: 'nope' }), NotFound, 'Could not find project: nope.');
        await rejectsWith(projects.create({ name: 'x', domain_id: 'nope' }), NotFound, 'Could not find domain: nope.');
        const child = await projects.create({ name: 'child', parent_id: demo.id });
        await rejectsWith(
          projects.delete(demo.id),
          Forbidden,
          `Cannot delete the project ${demo.id} since it is not a leaf in the hierarchy. Use the cascade option if you want to delete a whole subtree.`,
        );
        await rejectsWith(projects.update(child.id, { parent_id: other.id }), Forbidden, 'Update of `parent_id` is not allowed.');
        await rejectsWith(projects.update(demo.id, { enabled: false }), Forbidden, `Cannot disable project ${demo.id} since its subtree contains enabled projects.`);
        const elsewhere = await domains.create({ name: 'Elsewhere' });
        await assert.rejects(projects.create({ name: 'y', parent_id: demo.id, domain_id: elsewhere.id }), BadRequest);
        assert.deepEqual((await projects.list()).map((p) => p.name), ['child', 'demo', 'other']);
        assert.equal((await projects.get(other.id)).name, 'other');
        assert.deepEqual(log, []);
        await projects.update(child.id, { enabled: false });
        await rejectsWith(projects.create({ name: 'z', parent_id: child.id }), BadRequest, `cannot create a project in a branch containing a disabled project: ${child.id}`);
        await projects.delete(child.id);
        await projects.delete(demo.id);
        assert.deepEqual(log, [`projectDisabledOrDeleted(${child.id})`, `projectDisabledOrDeleted(${child.id})`, `projectDisabledOrDeleted(${demo.id})`]);
      }));

    test('domains: 409 on names, an enabled domain cannot be deleted, deleting one empties it', () =>
      withIdentity(dialect, async ({ managers, log }) => {
        const { domains, projects, users, roles, assignments } = managers;
        await rejectsWith(
          domains.create({ name: 'Default' }),
          Conflict,
          'Conflict occurred attempting to store project - it is not permitted to have two projects acting as domains with the same name: Default.',
        );
        await rejectsWith(domains.delete('default'), Forbidden, 'Cannot delete a domain that is enabled, please disable it first.');
        const lab = await domains.create({ name: 'Lab', tags: ['x'] });
        const project = await projects.create({ name: 'p', domain_id: lab.id });
        const user = await users.create({ name: 'u', domain_id: lab.id });
        const role = await roles.create({ name: 'r' });
        await assignments.grant({ actor: { userId: user.id }, target: { projectId: project.id }, roleId: role.id });
        await domains.update(lab.id, { enabled: false });
        await domains.delete(lab.id);
        await assert.rejects(domains.get(lab.id), NotFound);
        await assert.rejects(projects.get(project.id), NotFound);
        await assert.rejects(users.get(user.id), NotFound);
        assert.deepEqual(await managers.roleAssignments.list({}), []);
        assert.deepEqual(log, [`domainDisabledOrDeleted(${lab.id})`, `domainDisabledOrDeleted(${lab.id})`]);
        assert.deepEqual((await domains.list()).map((d) => d.id), ['default']);
      }));

    test('users: passwords are hashed, changed with the original, checked with lockout', () =>
      withIdentity(
        dialect,
        async ({ managers: { users, projects }, db, log, advance }) => {
          const project = await projects.create({ name: 'demo' });
          const alice = await users.create({ name: 'alice', password: 's3cret', default_project_id: project.id, extra: { email: 'a@example.org' } });
          assert.equal(alice.default_project_id, project.id);
          assert.deepEqual(alice.extra, { email: 'a@example.org' });
          const stored = await db.kysely.withTables<{ identity_users: { id: string; password_hash: string } }>()
            .selectFrom('identity_users').select('password_hash').where('id', '=', alice.id).executeTakeFirstOrThrow();
          assert.equal(stored.password_hash, 'fake:terc3s');
          await rejectsWith(
            users.create({ name: 'alice' }),
            Conflict,
            'Conflict occurred attempting to store user - Duplicate entry found with name alice at domain ID default.',
          );
          await rejectsWith(users.create({ name: 'bob', default_project_id: 'nope' }), NotFound, 'Could not find project: nope.');
          await rejectsWith(users.create({ name: 'bob', default_project_id: 'default' }), BadRequest, "User's default project ID cannot be a domain ID: default");
          await rejectsWith(users.create({ name: 'bob', password: 'ab' }), BadRequest, 'The password does not match the requirements: at least 3 characters.');
          await assert.rejects(users.changePassword(alice.id, 's3cret', 'ab'), BadRequest);
          await rejectsWith(users.changePassword(alice.id, 'wrong', 'new'), Unauthorized, 'Error when changing user password: Invalid user / password');
          assert.deepEqual((await users.list()).map((u) => u.name), ['alice']);
          await users.changePassword(alice.id, 's3cret', 'n3w');
          assert.equal(await users.verifyPassword(alice.id, 'n3w'), 'valid');
          assert.equal(await users.verifyPassword(alice.id, 'bad'), 'invalid');
          assert.equal(await users.verifyPassword(alice.id, 'bad'), 'invalid');
          assert.equal(await users.verifyPassword(alice.id, 'n3w'), 'locked');
          advance(61_000);
          assert.equal(await users.verifyPassword(alice.id, 'n3w'), 'valid');
          await users.update(alice.id, { enabled: false });
          await users.delete(alice.id);
          await rejectsWith(users.get(alice.id), NotFound, `Could not find user: ${alice.id}.`);
          assert.deepEqual(log, [`passwordChanged(${alice.id})`, `userDisabledOrDeleted(${alice.id})`, `userDisabledOrDeleted(${alice.id})`]);
        },
        { lockout: { failureAttempts: 2, durationSeconds: 60 } },
      ));

    test('groups: membership is idempotent, checked, listed both ways and removed', () =>
      withIdentity(dialect, async ({ managers: { groups, users }, log }) => {
        const devs = await groups.create({ name: 'devs', description: 'Developers' });
        const alice = await users.create({ name: 'alice' });
        await rejectsWith(groups.create({ name: 'devs' }), Conflict, 'Conflict occurred attempting to store group - Duplicate entry found with name devs at domain ID default.');
        await rejectsWith(groups.checkUser(devs.id, alice.id), NotFound, `User '${alice.id}' not found in group '${devs.id}'`);
        await groups.addUser(devs.id, alice.id);
        await groups.addUser(devs.id, alice.id);
        await groups.checkUser(devs.id, alice.id);
        assert.deepEqual((await groups.listUsers(devs.id)).map((u) => u.id), [alice.id]);
        assert.deepEqual((await groups.listGroupsForUser(alice.id)).map((g) => g.id), [devs.id]);
        await rejectsWith(groups.addUser(devs.id, 'nope'), NotFound, 'Could not find user: nope.');
        await groups.removeUser(devs.id, alice.id);
        assert.deepEqual(await groups.listUsers(devs.id), []);
        assert.deepEqual(log, [`userRemovedFromGroup(${alice.id},${devs.id})`]);
        await groups.delete(devs.id);
        await rejectsWith(groups.get(devs.id), NotFound, `Could not find group: ${devs.id}.`);
      }));

    test('roles: names unique, implications listed and guarded', () =>
      withIdentity(dialect, async ({ managers: { roles } }) => {
        const admin = await roles.create({ name: 'admin' });
        const member = await roles.create({ name: 'member' });
        const reader = await roles.create({ name: 'reader' });
        await rejectsWith(roles.create({ name: 'admin' }), Conflict, 'Conflict occurred attempting to store role - Duplicate entry found with name admin.');
        await roles.createImplied(admin.id, member.id);
        await roles.createImplied(admin.id, member.id);
        await roles.createImplied(member.id, reader.id);
        await rejectsWith(roles.createImplied(reader.id, admin.id), Forbidden, `${admin.id} cannot be an implied roles.`);
        await rejectsWith(roles.getImplied(reader.id, member.id), NotFound, `${reader.id} does not imply ${member.id}.`);
        assert.deepEqual((await roles.listImplied(admin.id)).implies.map((r) => r.name), ['member']);
        const inferences = await roles.listInferences();
        assert.deepEqual(
          inferences.map((i) => [i.prior.name, i.implies.map((r) => r.name)]).sort(),
          [['admin', ['member']], ['member', ['reader']]],
        );
        await roles.deleteImplied(admin.id, member.id);
        await assert.rejects(roles.getImplied(admin.id, member.id), NotFound);
        const domainRole = await roles.create({ name: 'admin', domain_id: 'default' });
        assert.equal(domainRole.domain_id, 'default');
        assert.deepEqual((await roles.list()).map((r) => r.name), ['admin', 'member', 'reader']);
        assert.deepEqual((await roles.list({ domain_id: 'default' })).map((r) => r.id), [domainRole.id]);
      }));
  });
}
