import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { expiryTime } from './application-credentials.js';
import { withIdentity } from './testing/identity-fixture.js';

for (const dialect of DIALECTS) {
  describe(`trusts on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('the same delegation twice is a 409; uses run out one token at a time; a deleted user takes their trusts along', () =>
      withIdentity(dialect, async ({ managers, log }) => {
        const member = await managers.roles.create({ name: 'member' });
        const project = await managers.projects.create({ name: 'p' });
        const [trustor, trustee] = [await managers.users.create({ name: 'alice' }), await managers.users.create({ name: 'bob' })];
        await managers.assignments.grant({ actor: { userId: trustor.id }, target: { projectId: project.id }, roleId: member.id });
        const create = (expiresAt: string | null, remainingUses: number | null) =>
          managers.trusts.create({
            trustorUserId: trustor.id, trusteeUserId: trustee.id, projectId: project.id, impersonation: true, roles: [{ id: member.id }],
            expiresAt: expiresAt === null ? null : (expiryTime(expiresAt) ?? null), remainingUses, allowRedelegation: false, redelegationCount: null,
          });
        const limited = await create('2099-01-01T00:00:00.000001Z', 2);
        assert.deepEqual([limited.remaining_uses, limited.expires_at, limited.roles.map((role) => role.id)], [2, '2099-01-01T00:00:00.000001Z', [member.id]]);
        await assert.rejects(create('2099-01-01T00:00:00.000001Z', null), { status: 409 });
        assert.equal(await managers.trusts.consumeUse(limited.id), true);
        assert.equal(await managers.trusts.consumeUse(limited.id), true);
        assert.equal(await managers.trusts.consumeUse(limited.id), false);
        await assert.rejects(managers.trusts.get(limited.id), { status: 404 });
        assert.equal((await managers.trusts.get(limited.id, { usedUp: true })).remaining_uses, 0);

        const open = await create(null, null);
        assert.equal(await managers.trusts.consumeUse(open.id), true);
        assert.equal((await managers.trusts.get(open.id)).remaining_uses, null);
        assert.deepEqual((await managers.trusts.list({ trusteeUserId: trustee.id })).map((ref) => ref.id).sort(), [limited.id, open.id].sort());

        log.length = 0;
        await managers.users.delete(trustee.id);
        assert.deepEqual(await managers.trusts.list(), []);
        assert.deepEqual(log.filter((line) => line.startsWith('trustWithdrawn')).sort(), [`trustWithdrawn(${limited.id})`, `trustWithdrawn(${open.id})`].sort());
      }));
  });
}
