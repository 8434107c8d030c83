import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { ec2CredentialId } from './credentials.js';
import { withIdentity } from './testing/identity-fixture.js';

// The tables of credentials, policies, endpoint groups, consumers and domain configurations on every dialect.
for (const dialect of DIALECTS) {
  describe(`credentials and the other stored blobs on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('credentials keep their blob and ec2 ids; a deleted project takes its credentials along', () =>
      withIdentity(dialect, async ({ managers }) => {
        const project = await managers.projects.create({ name: 'p' });
        const user = await managers.users.create({ name: 'u' });
        const blob = JSON.stringify({ access: 'ak', secret: 'sk', note: 'ü'.repeat(300) });
        const ec2 = await managers.credentials.create({ user_id: user.id, project_id: project.id, type: 'ec2', blob, extra: { label: 'x' } });
        assert.deepEqual(ec2, { id: ec2CredentialId('ak'), user_id: user.id, project_id: project.id, type: 'ec2', blob, extra: { label: 'x' } });
        const cert = await managers.credentials.create({ user_id: user.id, type: 'cert', blob: 'PEM' });
        assert.deepEqual((await managers.credentials.list({ type: 'cert' })).map((ref) => ref.id), [cert.id]);
        assert.equal((await managers.credentials.update(cert.id, { blob: 'PEM2', extra: { more: 1 } })).blob, 'PEM2');
        assert.deepEqual((await managers.credentials.listEc2(user.id)).map((ref) => ref.access), ['ak']);
        await managers.projects.delete(project.id);
        assert.deepEqual((await managers.credentials.list()).map((ref) => ref.id), [cert.id]);
      }));

    test('policies, endpoint groups, consumers and domain configurations round-trip', () =>
      withIdentity(dialect, async ({ managers }) => {
        const policy = await managers.policies.create({ type: 'application/json', blob: '{"a": 1}' });
        assert.deepEqual(await managers.policies.list({ type: 'application/json' }), [policy]);
        const group = await managers.endpointGroups.create({ name: 'g', filters: { interface: 'public', service_id: 's' } });
        assert.deepEqual((await managers.endpointGroups.get(group.id)).filters, { interface: 'public', service_id: 's' });
        const { consumer, secret } = await managers.oauthConsumers.create({ description: 'c' });
        assert.match(secret, /^[0-9a-f]{32}$/);
        assert.deepEqual(await managers.oauthConsumers.list(), [consumer]);
        const domain = await managers.domains.create({ name: 'd' });
        await managers.domainConfigs.create(domain.id, { identity: { driver: 'ldap', list_limit: 3 }, ldap: { url: 'ldap://a', password: 'p' } });
        await managers.domainConfigs.update(domain.id, { ldap: { url: 'ldap://b' } }, { group: 'ldap' });
        assert.deepEqual(await managers.domainConfigs.get(domain.id), { identity: { driver: 'ldap', list_limit: 3 }, ldap: { url: 'ldap://b' } });
        const replaced = await managers.domainConfigs.create(domain.id, { identity: { driver: 'sql' } });
        assert.deepEqual(replaced, { config: { identity: { driver: 'sql' } }, created: false });
      }));
  });
}
