import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import type { IdentityTables } from '../db/tables.js';
import { expiryTime } from './application-credentials.js';
import { withIdentity, type IdentityFixture } from './testing/identity-fixture.js';

/** A user with `member` (implying `reader`) on a project, and a role they do not hold. */
async function memberOnProject({ managers }: IdentityFixture, name = 'alice') {
  const [member, reader, other] = [await managers.roles.create({ name: `member-${name}` }), await managers.roles.create({ name: `reader-${name}` }), await managers.roles.create({ name: `other-${name}` })];
  await managers.roles.createImplied(member.id, reader.id);
  const project = await managers.projects.create({ name: `project-${name}` });
  const user = await managers.users.create({ name, password: 'pw-secret' });
  await managers.assignments.grant({ actor: { userId: user.id }, target: { projectId: project.id }, roleId: member.id });
  return { user, project, member, reader, other };
}

describe('expiryTime', () => {
  const cases: [string, string | undefined][] = [
    ['2026-12-06T10:15:30.123456', '2026-12-06T10:15:30.123456Z'],
    ['2026-12-06T10:15:30', '2026-12-06T10:15:30.000000Z'],
    ['2026-12-06T10:15:30.1234567Z', '2026-12-06T10:15:30.123456Z'],
    ['2026-12-06T10:15:30.5+0130', '2026-12-06T08:45:30.500000Z'],
    ['2026-12-06 10:15:30', undefined],
    ['tomorrow', undefined],
    ['2026-13-06T10:15:30', undefined],
  ];
  for (const [text, expected] of cases) test(text, () => assert.equal(expiryTime(text), expected));
});

for (const dialect of DIALECTS) {
  describe(`application credentials on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('roles must be held on the project; names are unique per user; the secret is stored hashed', () =>
      withIdentity(dialect, async (fixture) => {
        const { managers, db } = fixture;
        const { user, project, member, reader, other } = await memberOnProject(fixture);
        const create = (name: string, roleIds: string[], userId = user.id) =>
          managers.applicationCredentials.create({ userId, projectId: project.id, name, secret: 'the-secret', roleIds });
        const created = await create('ci', [member.id, reader.id]);
        assert.deepEqual(created.roles.map((role) => role.name).sort(), [`member-alice`, `reader-alice`]);
        assert.deepEqual([created.expires_at, created.unrestricted, created.description], [null, false, null]);
        await assert.rejects(create('ci', [member.id]), { status: 409 });
        await assert.rejects(create('up', [other.id]), { status: 400 });
        const bob = await managers.users.create({ name: 'bob' });
        await managers.assignments.grant({ actor: { userId: bob.id }, target: { projectId: project.id }, roleId: member.id });
        await create('ci', [member.id], bob.id);

        assert.deepEqual((await managers.applicationCredentials.list(user.id)).map((ref) => ref.name), ['ci']);
        assert.deepEqual(await managers.applicationCredentials.list(user.id, { name: 'nope' }), []);
        const stored = await db.kysely.withTables<IdentityTables>().selectFrom('identity_application_credentials').selectAll().execute();
        assert.ok(!JSON.stringify(stored).includes('the-secret'));
        assert.equal((await managers.applicationCredentials.findByName(bob.id, 'ci'))?.user_id, bob.id);
      }));

    test('authenticate: the secret, then expiry; delete reports the event', () =>
      withIdentity(dialect, async (fixture) => {
        const { managers, advance, log } = fixture;
        const { user, project, member } = await memberOnProject(fixture);
        const expiresAt = expiryTime('2026-11-23T11:00:00.000001');
        const ref = await managers.applicationCredentials.create({ userId: user.id, projectId: project.id, name: 'ci', secret: 's3cret', roleIds: [member.id], expiresAt });
        assert.equal(ref.expires_at, '2026-11-23T11:00:00.000001Z');
        assert.equal(((await managers.applicationCredentials.authenticate(ref.id, 's3cret')) as { id: string }).id, ref.id);
        assert.equal(await managers.applicationCredentials.authenticate(ref.id, 'wrong'), 'wrong secret');
        assert.equal(await managers.applicationCredentials.authenticate('0123456789abcdef0123456789abcdef', 's3cret'), 'unknown');
        advance(3_600_000);
        assert.equal(await managers.applicationCredentials.authenticate(ref.id, 's3cret'), 'expired');
        assert.equal(managers.applicationCredentials.isUsable(ref), false);
        log.length = 0;
        await managers.applicationCredentials.delete(ref.id);
        assert.deepEqual(log, [`applicationCredentialDeleted(${ref.id})`]);
        await assert.rejects(managers.applicationCredentials.get(ref.id), { status: 404, message: `Could not find Application Credential: ${ref.id}.` });
      }));

    test('access rules: identical rules are shared per user, never across users; a rule in use is not deleted; the user takes them along', () =>
      withIdentity(dialect, async (fixture) => {
        const { managers } = fixture;
        const { user, project, member } = await memberOnProject(fixture);
        const rule = { id: 'a'.repeat(32), service: 'compute', path: '/v2.1/servers/{server_id}/**', method: 'GET' };
        const create = (name: string, accessRules: (typeof rule)[], holder = { user, project, member }) =>
          managers.applicationCredentials.create({ userId: holder.user.id, projectId: holder.project.id, name, secret: 's', roleIds: [holder.member.id], accessRules });
        const first = await create('one', [rule]);
        assert.deepEqual(first.access_rules, [rule]);
        const second = await create('two', [{ ...rule, id: 'b'.repeat(32) }, { ...rule, id: 'c'.repeat(32), method: 'DELETE' }]);
        assert.deepEqual(second.access_rules.map((each) => [each.id, each.method]), [['a'.repeat(32), 'GET'], ['c'.repeat(32), 'DELETE']]);
        assert.deepEqual((await managers.applicationCredentials.listAccessRules({ user_id: user.id, method: 'DELETE' })).map((each) => each.id), ['c'.repeat(32)]);
        assert.equal((await managers.applicationCredentials.get(first.id)).access_rules[0]?.path, '/v2.1/servers/{server_id}/**');

        // Another user asking for the same call gets a rule of their own; one naming the first user's id is refused.
        const other = await memberOnProject(fixture, 'carol');
        const theirs = await create('theirs', [{ ...rule, id: 'd'.repeat(32) }], other);
        assert.deepEqual(theirs.access_rules.map((each) => each.id), ['d'.repeat(32)]);
        await assert.rejects(create('stolen', [{ ...rule, id: 'c'.repeat(32), path: '/elsewhere' }], other), { status: 409 });
        await assert.rejects(managers.applicationCredentials.getAccessRule(other.user.id, 'a'.repeat(32)), { status: 404 });

        await assert.rejects(managers.applicationCredentials.deleteAccessRule(user.id, 'a'.repeat(32)), { status: 403 });
        await managers.applicationCredentials.delete(first.id);
        await managers.applicationCredentials.delete(second.id);
        await managers.applicationCredentials.deleteAccessRule(user.id, 'a'.repeat(32));
        assert.deepEqual((await managers.applicationCredentials.listAccessRules({ user_id: user.id })).map((each) => each.id), ['c'.repeat(32)]);
        await managers.users.delete(user.id);
        assert.deepEqual(await managers.applicationCredentials.listAccessRules({ user_id: user.id }), []);
        assert.equal((await managers.applicationCredentials.listAccessRules({ user_id: other.user.id })).length, 1);
      }));

    test("losing the project role deletes that project's credentials only; disabling or deleting the user deletes all", () =>
      withIdentity(dialect, async (fixture) => {
        const { managers } = fixture;
        const { user, project, member } = await memberOnProject(fixture);
        const elsewhere = await managers.projects.create({ name: 'elsewhere' });
        await managers.assignments.grant({ actor: { userId: user.id }, target: { projectId: elsewhere.id }, roleId: member.id });
        const make = (name: string, projectId: string) =>
          managers.applicationCredentials.create({ userId: user.id, projectId, name, secret: 's', roleIds: [member.id] });
        await make('here', project.id);
        await make('there', elsewhere.id);
        await managers.assignments.revoke({ actor: { userId: user.id }, target: { projectId: project.id }, roleId: member.id });
        assert.deepEqual((await managers.applicationCredentials.list(user.id)).map((ref) => ref.name), ['there']);
        await managers.users.update(user.id, { enabled: false });
        assert.deepEqual(await managers.applicationCredentials.list(user.id), []);

        const other = await memberOnProject(fixture, 'carol');
        await managers.applicationCredentials.create({ userId: other.user.id, projectId: other.project.id, name: 'x', secret: 's', roleIds: [] });
        await managers.users.delete(other.user.id);
        assert.deepEqual(await managers.applicationCredentials.list(other.user.id), []);
      }));
  });
}
