import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { BadRequest, NotFound } from '../../common/errors/errors.js';
import { withIdentity, type IdentityFixture } from './testing/identity-fixture.js';
import type { RoleAssignment } from './role-assignments.js';

/** admin ⊃ member ⊃ reader, a project with a child, alice (direct) and bob (through a group). */
async function world({ managers }: IdentityFixture) {
  const { roles, projects, users, groups } = managers;
  const admin = await roles.create({ name: 'admin' });
  const member = await roles.create({ name: 'member' });
  const reader = await roles.create({ name: 'reader' });
  await roles.createImplied(admin.id, member.id);
  await roles.createImplied(member.id, reader.id);
  const demo = await projects.create({ name: 'demo' });
  const child = await projects.create({ name: 'child', parent_id: demo.id });
  const other = await projects.create({ name: 'other' });
  const alice = await users.create({ name: 'alice' });
  const bob = await users.create({ name: 'bob' });
  const devs = await groups.create({ name: 'devs' });
  await groups.addUser(devs.id, bob.id);
  return { admin, member, reader, demo, child, other, alice, bob, devs };
}

/** A compact view of an assignment for comparisons. */
function brief(entry: RoleAssignment): string {
  const actor = entry.userId !== undefined ? `user:${entry.userId}` : `group:${entry.groupId}`;
  const scope = entry.projectId !== undefined ? `project:${entry.projectId}` : `domain:${entry.domainId}`;
  const via = Object.entries(entry.indirect).map(([key, value]) => `${key}=${value}`).join(',');
  return `${actor} ${scope} ${entry.roleId}${entry.inheritedToProjects ? ' inherited' : ''}${via ? ` via ${via}` : ''}`;
}

for (const dialect of DIALECTS) {
  describe(`role assignments on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('grants are idempotent, checked, listed and revoked, with the revocation reported', () =>
      withIdentity(dialect, async (fixture) => {
        const { assignments } = fixture.managers;
        const w = await world(fixture);
        const grant = { actor: { userId: w.alice.id }, target: { projectId: w.demo.id }, roleId: w.member.id };
        await assignments.grant(grant);
        await assignments.grant(grant);
        await assignments.check(grant);
        assert.deepEqual((await assignments.listGrants(grant.actor, grant.target)).map((r) => r.name), ['member']);
        await assert.rejects(assignments.grant({ ...grant, roleId: 'nope' }), NotFound);
        await assert.rejects(assignments.grant({ ...grant, target: { projectId: 'nope' } }), NotFound);
        await assignments.revoke(grant);
        await assert.rejects(assignments.check(grant), (error: unknown) => {
          assert.ok(error instanceof NotFound);
          assert.equal(
            error.message,
            `Could not find role assignment with role: ${w.member.id}, user or group: ${w.alice.id}, project, domain, or system: ${w.demo.id}.`,
          );
          return true;
        });
        await assert.rejects(assignments.revoke(grant), NotFound);
        assert.deepEqual(fixture.log, [`roleAssignmentRemoved(${JSON.stringify({ roleId: w.member.id, userId: w.alice.id, projectId: w.demo.id })})`]);
      }));

    test('effectiveRoles adds group grants, inheritance and implied roles', () =>
      withIdentity(dialect, async (fixture) => {
        const { assignments, roles } = fixture.managers;
        const w = await world(fixture);
        const names = async (userId: string, scope: { projectId: string } | { domainId: string }) =>
          (await assignments.effectiveRoles(userId, scope)).map((role) => role.name);
        assert.deepEqual(await names(w.alice.id, { projectId: w.demo.id }), []);
        await assignments.grant({ actor: { userId: w.alice.id }, target: { projectId: w.demo.id }, roleId: w.admin.id });
        assert.deepEqual(await names(w.alice.id, { projectId: w.demo.id }), ['admin', 'member', 'reader']);
        assert.deepEqual(await names(w.alice.id, { projectId: w.child.id }), [], 'a plain grant does not reach children');
        await assignments.grant({ actor: { groupId: w.devs.id }, target: { projectId: w.demo.id }, roleId: w.reader.id, inherited: true });
        assert.deepEqual(await names(w.bob.id, { projectId: w.child.id }), ['reader']);
        assert.deepEqual(await names(w.bob.id, { projectId: w.demo.id }), [], 'an inherited grant skips its own target');
        await assignments.grant({ actor: { groupId: w.devs.id }, target: { domainId: 'default' }, roleId: w.member.id, inherited: true });
        assert.deepEqual(await names(w.bob.id, { projectId: w.other.id }), ['member', 'reader']);
        assert.deepEqual(await names(w.bob.id, { domainId: 'default' }), []);
        await assignments.grant({ actor: { userId: w.bob.id }, target: { domainId: 'default' }, roleId: w.admin.id });
        assert.deepEqual(await names(w.bob.id, { domainId: 'default' }), ['admin', 'member', 'reader']);
        const domainRole = await roles.create({ name: 'lab-only', domain_id: 'default' });
        await roles.createImplied(domainRole.id, w.reader.id);
        await assignments.grant({ actor: { userId: w.alice.id }, target: { projectId: w.other.id }, roleId: domainRole.id });
        assert.deepEqual(await names(w.alice.id, { projectId: w.other.id }), ['reader'], 'domain-specific roles stay out of tokens');
        assert.deepEqual((await assignments.projectsForUser(w.bob.id)).map((p) => p.name), ['child', 'demo', 'other']);
        assert.deepEqual((await assignments.projectsForUser(w.alice.id)).map((p) => p.name), ['demo', 'other']);
        assert.deepEqual((await assignments.domainsForUser(w.bob.id)).map((d) => d.id), ['default']);
      }));

    test('role_assignments: direct filters, effective expansion and names', () =>
      withIdentity(dialect, async (fixture) => {
        const { assignments, roleAssignments } = fixture.managers;
        const w = await world(fixture);
        await assignments.grant({ actor: { userId: w.alice.id }, target: { projectId: w.demo.id }, roleId: w.member.id });
        await assignments.grant({ actor: { groupId: w.devs.id }, target: { projectId: w.demo.id }, roleId: w.reader.id });
        await assignments.grant({ actor: { groupId: w.devs.id }, target: { projectId: w.demo.id }, roleId: w.admin.id, inherited: true });

        const direct = await roleAssignments.list({});
        assert.deepEqual(direct.map(brief).sort(), [
          `group:${w.devs.id} project:${w.demo.id} ${w.admin.id} inherited`,
          `group:${w.devs.id} project:${w.demo.id} ${w.reader.id}`,
          `user:${w.alice.id} project:${w.demo.id} ${w.member.id}`,
        ].sort());
        assert.deepEqual((await roleAssignments.list({ userId: w.bob.id })).map(brief), [], 'direct mode shows no group grants for a user');
        assert.equal((await roleAssignments.list({ groupId: w.devs.id })).length, 2);
        assert.equal((await roleAssignments.list({ roleId: w.member.id })).length, 1);
        assert.equal((await roleAssignments.list({ projectId: w.child.id })).length, 0);
        assert.equal((await roleAssignments.list({ inherited: true })).length, 1);

        const bob = await roleAssignments.list({ userId: w.bob.id, effective: true });
        assert.deepEqual(bob.map(brief).sort(), [
          `user:${w.bob.id} project:${w.child.id} ${w.admin.id} via groupId=${w.devs.id},projectId=${w.demo.id}`,
          `user:${w.bob.id} project:${w.child.id} ${w.member.id} via groupId=${w.devs.id},projectId=${w.demo.id},roleId=${w.admin.id}`,
          `user:${w.bob.id} project:${w.child.id} ${w.reader.id} via groupId=${w.devs.id},projectId=${w.demo.id},roleId=${w.member.id}`,
          `user:${w.bob.id} project:${w.demo.id} ${w.reader.id} via groupId=${w.devs.id}`,
        ].sort());
        const onDemo = await roleAssignments.list({ projectId: w.demo.id, effective: true });
        assert.deepEqual(onDemo.map(brief).sort(), [
          `user:${w.alice.id} project:${w.demo.id} ${w.member.id}`,
          `user:${w.alice.id} project:${w.demo.id} ${w.reader.id} via roleId=${w.member.id}`,
          `user:${w.bob.id} project:${w.demo.id} ${w.reader.id} via groupId=${w.devs.id}`,
        ].sort());
        assert.equal((await roleAssignments.list({ projectId: w.demo.id, includeSubtree: true, effective: true })).length, 6);

        const [named] = await roleAssignments.list({ userId: w.alice.id, includeNames: true });
        assert.deepEqual(named?.names, {
          role: { name: 'member' },
          user: { name: 'alice', domain: { id: 'default', name: 'Default' } },
          project: { name: 'demo', domain: { id: 'default', name: 'Default' } },
        });
        await assert.rejects(roleAssignments.list({ groupId: w.devs.id, effective: true }), BadRequest);
        await assert.rejects(roleAssignments.list({ userId: w.alice.id, groupId: w.devs.id }), BadRequest);
        await assert.rejects(roleAssignments.list({ projectId: w.demo.id, domainId: 'default' }), BadRequest);
      }));

    test('deleting a role, user or group removes its assignments and reports them', () =>
      withIdentity(dialect, async (fixture) => {
        const { assignments, roles, users, roleAssignments } = fixture.managers;
        const w = await world(fixture);
        await assignments.grant({ actor: { userId: w.alice.id }, target: { projectId: w.demo.id }, roleId: w.member.id });
        await assignments.grant({ actor: { userId: w.bob.id }, target: { projectId: w.demo.id }, roleId: w.reader.id });
        await roles.delete(w.member.id);
        assert.deepEqual(fixture.log, [`roleAssignmentRemoved(${JSON.stringify({ roleId: w.member.id, userId: w.alice.id, projectId: w.demo.id })})`]);
        assert.deepEqual((await roles.listInferences()).map((i) => i.prior.name), []);
        await users.delete(w.bob.id);
        assert.deepEqual(await roleAssignments.list({}), []);
      }));
  });
}
