import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runPolicyMatrix, type Persona } from '../../common/policy/testing/policy-matrix.js';
import type { IdentityManagers } from '../resources/index.js';
import { DEFAULT_DOMAIN_ID } from '../resources/domains.js';
import { withIdentityApp, type IdentityCall } from './testing/identity-test-app.js';
import { IDENTITY_POLICY_MATRIX, type IdentityMatrixFixture } from './policy-matrix.js';

const PASSWORD = 'secret';

/** The personas as Keystone users with project-scoped tokens; returns each one's token and the fixture. */
async function personas(managers: IdentityManagers, call: IdentityCall): Promise<{ tokens: Record<Exclude<Persona, 'anonymous'>, string>; fixture: IdentityMatrixFixture }> {
  const [admin, member, reader] = [await managers.roles.create({ name: 'admin' }), await managers.roles.create({ name: 'member' }), await managers.roles.create({ name: 'reader' })];
  await managers.roles.createImplied(admin.id, member.id);
  await managers.roles.createImplied(member.id, reader.id);
  const otherDomain = await managers.domains.create({ name: 'other-domain' });
  const projects = {
    admin: await managers.projects.create({ name: 'admin' }),
    owner: await managers.projects.create({ name: 'owner', tags: ['owned'] }),
    other: await managers.projects.create({ name: 'other', domain_id: otherDomain.id }),
  };
  const person = async (name: string, role: string, project: string, domain = DEFAULT_DOMAIN_ID) => {
    const user = await managers.users.create({ name, password: PASSWORD, domain_id: domain });
    await managers.assignments.grant({ actor: { userId: user.id }, target: { projectId: project }, roleId: role });
    return user.id;
  };
  const users = {
    admin: await person('admin', admin.id, projects.admin.id),
    member: await person('member', member.id, projects.owner.id),
    otherMember: await person('other', member.id, projects.other.id, otherDomain.id),
    reader: await person('reader', reader.id, projects.owner.id),
  };
  const passwords = new Map(Object.values(users).map((id) => [id, PASSWORD]));
  const issue = async (userId: string, projectId: string) => {
    const reply = await call('POST', '/v3/auth/tokens', {
      body: { auth: { identity: { methods: ['password'], password: { user: { id: userId, password: passwords.get(userId) } } }, scope: { project: { id: projectId } } } },
    });
    assert.equal(reply.status, 201, JSON.stringify(reply.json));
    return String(reply.headers['x-subject-token']);
  };
  const tokens = {
    admin: await issue(users.admin, projects.admin.id),
    member: await issue(users.member, projects.owner.id),
    otherMember: await issue(users.otherMember, projects.other.id),
    reader: await issue(users.reader, projects.owner.id),
  };
  let serial = 0;
  const name = (prefix: string) => `${prefix}-fixture-${(serial += 1)}`;
  const role = async () => (await managers.roles.create({ name: name('role') })).id;
  const fixture: IdentityMatrixFixture = {
    defaultDomain: DEFAULT_DOMAIN_ID,
    ownerProject: projects.owner.id,
    memberUser: users.member,
    memberToken: () => issue(users.member, projects.owner.id),
    memberPassword: async () => {
      const password = name('pw');
      await managers.users.update(users.member, { password });
      passwords.set(users.member, password);
      return password;
    },
    domain: async ({ enabled } = { enabled: true }) => (await managers.domains.create({ name: name('domain'), enabled })).id,
    project: async (options) => (await managers.projects.create({ name: name('project'), tags: options?.tags })).id,
    user: async () => (await managers.users.create({ name: name('user') })).id,
    group: async ({ withMember } = { withMember: false }) => {
      const group = await managers.groups.create({ name: name('group') });
      if (withMember) await managers.groups.addUser(group.id, users.member);
      return group.id;
    },
    role,
    implication: async () => {
      const [prior, implied] = [await role(), await role()];
      await managers.roles.createImplied(prior, implied);
      return [prior, implied];
    },
    grant: async (path) => {
      const reply = await call('PUT', path, { headers: { 'x-auth-token': tokens.admin } });
      assert.equal(reply.status, 204, `${path}: ${JSON.stringify(reply.json)}`);
    },
    region: async () => (await managers.regions.create({ description: 'fixture' })).id,
    service: async () => (await managers.services.create({ type: 'compute', name: name('service') })).id,
    endpoint: async () => {
      const service = await managers.services.create({ type: 'compute', name: name('service') });
      return (await managers.endpoints.create({ service_id: service.id, interface: 'public', url: 'http://fixture' })).id;
    },
    memberCredential: async () => {
      const credential = await managers.applicationCredentials.create({
        userId: users.member, projectId: projects.owner.id, name: name('cred'), secret: 'fixture-secret', roleIds: [member.id],
      });
      return credential.id;
    },
    memberAccessRule: async () => {
      const ruleId = name('rule').replace(/[^a-zA-Z0-9-]/g, '');
      const credential = await managers.applicationCredentials.create({
        userId: users.member, projectId: projects.owner.id, name: name('cred'), secret: 'fixture-secret', roleIds: [member.id],
        accessRules: [{ id: ruleId, service: 'compute', path: `/v2.1/${ruleId}`, method: 'GET' }],
      });
      await managers.applicationCredentials.delete(credential.id);
      return ruleId;
    },
    configuredDomain: async () => {
      const domain = await managers.domains.create({ name: name('domain') });
      await managers.domainConfigs.create(domain.id, { identity: { driver: 'ldap' }, ldap: { url: 'ldap://a' } });
      return domain.id;
    },
    policy: async () => (await managers.policies.create({ type: 'application/json', blob: '{}' })).id,
    endpointGroup: async () => (await managers.endpointGroups.create({ name: name('group'), filters: { interface: 'public' } })).id,
    consumer: async () => (await managers.oauthConsumers.create({ description: 'fixture' })).consumer.id,
    memberStoredCredential: async () => (await managers.credentials.create({ user_id: users.member, type: 'cert', blob: name('blob') })).id,
    memberEc2Credential: async () => (await managers.credentials.createEc2(users.member, projects.owner.id)).access,
    memberTrust: async () => {
      const trust = await managers.trusts.create({
        trustorUserId: users.member, trusteeUserId: users.reader, projectId: projects.owner.id, impersonation: false, roles: [{ id: member.id }],
        expiresAt: null, remainingUses: null, allowRedelegation: false, redelegationCount: null,
      });
      return { trustId: trust.id, roleId: member.id };
    },
  };
  return { tokens, fixture };
}

describe('identity policy matrix', () => {
  test("every identity route answers each persona as Keystone Zed's defaults do", () =>
    withIdentityApp(async ({ app, managers, call, routes }) => {
      await app.ready();
      const { tokens, fixture } = await personas(managers, call);
      const problems = await runPolicyMatrix({
        registered: routes,
        rows: IDENTITY_POLICY_MATRIX,
        fixture,
        send: async (persona, method, { path, body, headers = {} }) => {
          const token: Record<string, string> = persona === 'anonymous' ? {} : { 'x-auth-token': tokens[persona] };
          return (await call(method, path, { body, headers: { ...headers, ...token } })).status;
        },
      });
      assert.deepEqual(problems, []);
    }, { core: 'bare' }));
});
