import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeCliCloud } from '../support/fake-cli-cloud.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk } from '../support/openstack-cli.js';

// Issue 16's trusts through Debian's python3-openstackclient: the demo user (trustor) delegates
// their member role on the demo project to the admin user (trustee), who uses the trust.
const skip = openstackCliUnavailable();

type Row = Record<string, unknown>;

describe('trusts through the openstack CLI', { skip }, () => {
  const cloud = fakeCliCloud('trust-cli');

  test('trust create/show/list/delete, and a token scoped to the trust', async () => {
    const idOf = async (kind: string, name: string) => String((await openstackJson<Row>(cloud.admin, [kind, 'show', name]))['id']);
    const [demoUser, adminUser, demoProject, member] = [await idOf('user', 'demo'), await idOf('user', 'admin'), await idOf('project', 'demo'), await idOf('role', 'member')];

    // The trustor cannot look the trustee up (403): the CLI then sends the id as given.
    const created = await openstackJson<Row>(cloud.demo, ['trust', 'create', '--project', demoProject, '--role', member, '--impersonate', demoUser, adminUser]);
    const trustId = String(created['id']);
    assert.deepEqual(
      [created['trustor_user_id'], created['trustee_user_id'], created['project_id'], created['impersonation'], created['roles']],
      [demoUser, adminUser, demoProject, true, 'member'],
    );
    const shown = await openstackJson<Row>(cloud.demo, ['trust', 'show', trustId]);
    assert.deepEqual([shown['id'], shown['trustee_user_id']], [trustId, adminUser]);
    const listed = await openstackJson<Row[]>(cloud.admin, ['trust', 'list']);
    assert.deepEqual(listed.filter((row) => row['ID'] === trustId).map((row) => row['Trustor User ID']), [demoUser]);

    // The trustee's token scoped to the trust acts as the trustor (impersonation).
    // A trust scope replaces the project scope.
    const unscoped = Object.entries(cloud.admin).filter(([name]) => !name.startsWith('OS_PROJECT_'));
    const trustee = { ...Object.fromEntries(unscoped), OS_TRUST_ID: trustId };
    const issued = await openstackJson<Row>(trustee, ['token', 'issue']);
    assert.deepEqual([issued['user_id'], issued['project_id']], [demoUser, demoProject]);

    await openstackOk(cloud.demo, ['trust', 'delete', trustId]);
    // The show gets a 404, then the CLI's search by name lists every trust, which only an administrator may.
    assert.notEqual((await openstack(cloud.demo, ['trust', 'show', trustId])).code, 0);
    const after = await openstackJson<Row[]>(cloud.admin, ['trust', 'list']);
    assert.equal(after.some((row) => row['ID'] === trustId), false);
    assert.notEqual((await openstack(trustee, ['token', 'issue'])).code, 0, 'the trust is gone: no token');
  });
});
