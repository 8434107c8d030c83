/**
 * Test-only: Keystone Zed's default policies (keystone/common/policies, new defaults or'ed with
 * the deprecated ones as Zed ships them) as the status each persona gets on each identity
 * route; run by policy-matrix.test.ts. The personas hold project-scoped tokens: the member and
 * the reader in the owning project of the Default domain, the other member in a project of
 * another domain. "Their" resources are the member's user, project, domain and tokens; what
 * only an administrator (or a system- or domain-scoped reader) may touch is a fresh entity.
 */
import { statuses, type Expectation, type MatrixRow } from '../../common/policy/testing/policy-matrix.js';

/** What a row can make, fresh for each persona. */
export interface IdentityMatrixFixture {
  readonly defaultDomain: string;
  /** The member's and reader's project; it carries the tag `owned`. */
  readonly ownerProject: string;
  readonly memberUser: string;
  /** A new token of the member (scoped to the owning project). */
  memberToken(): Promise<string>;
  /** Sets the member's password to a new known value and returns it. */
  memberPassword(): Promise<string>;
  domain(options?: { enabled: boolean }): Promise<string>;
  project(options?: { tags?: readonly string[] }): Promise<string>;
  user(): Promise<string>;
  /** A group, with the member in it when asked. */
  group(options?: { withMember: boolean }): Promise<string>;
  role(): Promise<string>;
  /** Two roles, the first implying the second. */
  implication(): Promise<readonly [string, string]>;
  /** Makes the grant at this path (PUT as the administrator). */
  grant(path: string): Promise<void>;
  region(): Promise<string>;
  service(): Promise<string>;
  endpoint(): Promise<string>;
  /** A new application credential of the member on the owning project. */
  memberCredential(): Promise<string>;
  /** An access rule of the member user's that no credential uses any more. */
  memberAccessRule(): Promise<string>;
  /** A domain whose configuration sets identity.driver and ldap.url. */
  configuredDomain(): Promise<string>;
  policy(): Promise<string>;
  endpointGroup(): Promise<string>;
  consumer(): Promise<string>;
  /** A new /v3/credentials credential of the member; its id. */
  memberStoredCredential(): Promise<string>;
  /** A new ec2 credential of the member on the owning project; its access key. */
  memberEc2Credential(): Promise<string>;
  /** A new trust from the member (trustor) to the reader (trustee) of the member's role on the owning project. */
  memberTrust(): Promise<{ readonly trustId: string; readonly roleId: string }>;
}

type Row = MatrixRow<IdentityMatrixFixture>;

const ANYONE = statuses(200, 200, 200, 200);
const PUBLIC = statuses(200, 200, 200, 200, 200);
/** Only the administrator (role:admin); Zed's system and domain readers are not among the personas. */
const adminOnly = (status: number): Expectation => statuses(status, 403, 403, 403);
/** The member's own entity: the member and the administrator. */
const OWN = statuses(200, 200, 403, 403);

/** A fresh entity each time, changed or removed by the administrator only. */
function adminCrud(collection: string, key: string, make: (fx: IdentityMatrixFixture) => Promise<string>, create: () => object, update: object): Row[] {
  return [
    { route: `GET /v3/${collection}`, zed: adminOnly(200), request: () => ({ path: `/v3/${collection}` }) },
    { route: `POST /v3/${collection}`, zed: adminOnly(201), request: () => ({ path: `/v3/${collection}`, body: { [key]: create() } }) },
    { route: `GET /v3/${collection}/:id`, zed: adminOnly(200), request: async (fx) => ({ path: `/v3/${collection}/${await make(fx)}` }) },
    { route: `PATCH /v3/${collection}/:id`, zed: adminOnly(200), request: async (fx) => ({ path: `/v3/${collection}/${await make(fx)}`, body: { [key]: update } }) },
    { route: `DELETE /v3/${collection}/:id`, zed: adminOnly(204), request: async (fx) => ({ path: `/v3/${collection}/${await make(fx)}` }) },
  ];
}

let serial = 0;
const unique = (prefix: string) => `${prefix}-${(serial += 1)}`;

const DOMAIN_ROWS: Row[] = [
  { route: 'GET /v3/domains', zed: adminOnly(200), request: () => ({ path: '/v3/domains' }) },
  { route: 'POST /v3/domains', zed: adminOnly(201), request: () => ({ path: '/v3/domains', body: { domain: { name: unique('domain') } } }) },
  // token.project.domain.id:%(target.domain.id)s: anyone scoped to a project of the domain reads it.
  { route: 'GET /v3/domains/:id', zed: statuses(200, 200, 403, 200), request: (fx) => ({ path: `/v3/domains/${fx.defaultDomain}` }) },
  { route: 'PATCH /v3/domains/:id', zed: adminOnly(200), request: async (fx) => ({ path: `/v3/domains/${await fx.domain()}`, body: { domain: { description: 'd' } } }) },
  { route: 'DELETE /v3/domains/:id', zed: adminOnly(204), request: async (fx) => ({ path: `/v3/domains/${await fx.domain({ enabled: false })}` }) },
];

const PROJECT_ROWS: Row[] = [
  { route: 'GET /v3/projects', zed: adminOnly(200), request: () => ({ path: '/v3/projects' }) },
  { route: 'POST /v3/projects', zed: adminOnly(201), request: () => ({ path: '/v3/projects', body: { project: { name: unique('project') } } }) },
  { route: 'GET /v3/projects/:id', zed: statuses(200, 200, 403, 200), request: (fx) => ({ path: `/v3/projects/${fx.ownerProject}` }) },
  { route: 'PATCH /v3/projects/:id', zed: adminOnly(200), request: (fx) => ({ path: `/v3/projects/${fx.ownerProject}`, body: { project: { description: 'p' } } }) },
  { route: 'DELETE /v3/projects/:id', zed: adminOnly(204), request: async (fx) => ({ path: `/v3/projects/${await fx.project()}` }) },
  { route: 'GET /v3/projects/:id/tags', zed: statuses(200, 200, 403, 200), request: (fx) => ({ path: `/v3/projects/${fx.ownerProject}/tags` }) },
  { route: 'GET /v3/projects/:id/tags/:tag', zed: statuses(204, 204, 403, 204), request: (fx) => ({ path: `/v3/projects/${fx.ownerProject}/tags/owned` }) },
  { route: 'PUT /v3/projects/:id/tags', zed: adminOnly(200), request: async (fx) => ({ path: `/v3/projects/${await fx.project()}/tags`, body: { tags: ['a', 'b'] } }) },
  { route: 'DELETE /v3/projects/:id/tags', zed: adminOnly(204), request: async (fx) => ({ path: `/v3/projects/${await fx.project({ tags: ['a'] })}/tags` }) },
  { route: 'PUT /v3/projects/:id/tags/:tag', zed: adminOnly(201), request: async (fx) => ({ path: `/v3/projects/${await fx.project()}/tags/new` }) },
  { route: 'DELETE /v3/projects/:id/tags/:tag', zed: adminOnly(204), request: async (fx) => ({ path: `/v3/projects/${await fx.project({ tags: ['gone'] })}/tags/gone` }) },
];

const USER_ROWS: Row[] = [
  { route: 'GET /v3/users', zed: adminOnly(200), request: () => ({ path: '/v3/users' }) },
  { route: 'POST /v3/users', zed: adminOnly(201), request: () => ({ path: '/v3/users', body: { user: { name: unique('user'), password: 'secret' } } }) },
  { route: 'GET /v3/users/:id', zed: OWN, request: (fx) => ({ path: `/v3/users/${fx.memberUser}` }) },
  { route: 'PATCH /v3/users/:id', zed: adminOnly(200), request: async (fx) => ({ path: `/v3/users/${await fx.user()}`, body: { user: { email: 'u@example.org' } } }) },
  { route: 'DELETE /v3/users/:id', zed: adminOnly(204), request: async (fx) => ({ path: `/v3/users/${await fx.user()}` }) },
  // Unenforced and public in Keystone: knowing the original password is the check.
  {
    route: 'POST /v3/users/:id/password',
    zed: statuses(204, 204, 204, 204, 204),
    request: async (fx) => ({ path: `/v3/users/${fx.memberUser}/password`, body: { user: { original_password: await fx.memberPassword(), password: 'changed' } } }),
  },
  { route: 'GET /v3/users/:id/projects', zed: OWN, request: (fx) => ({ path: `/v3/users/${fx.memberUser}/projects` }) },
  { route: 'GET /v3/users/:id/groups', zed: OWN, request: (fx) => ({ path: `/v3/users/${fx.memberUser}/groups` }) },
];

const GROUP_ROWS: Row[] = [
  ...adminCrud('groups', 'group', (fx) => fx.group(), () => ({ name: unique('group') }), { description: 'g' }),
  { route: 'GET /v3/groups/:id/users', zed: adminOnly(200), request: async (fx) => ({ path: `/v3/groups/${await fx.group({ withMember: true })}/users` }) },
  { route: 'PUT /v3/groups/:id/users/:userId', zed: adminOnly(204), request: async (fx) => ({ path: `/v3/groups/${await fx.group()}/users/${fx.memberUser}` }) },
  {
    route: 'GET /v3/groups/:id/users/:userId',
    zed: adminOnly(204),
    request: async (fx) => ({ path: `/v3/groups/${await fx.group({ withMember: true })}/users/${fx.memberUser}` }),
  },
  {
    route: 'DELETE /v3/groups/:id/users/:userId',
    zed: adminOnly(204),
    request: async (fx) => ({ path: `/v3/groups/${await fx.group({ withMember: true })}/users/${fx.memberUser}` }),
  },
];

const ROLE_ROWS: Row[] = [
  ...adminCrud('roles', 'role', (fx) => fx.role(), () => ({ name: unique('role') }), { description: 'r' }),
  { route: 'GET /v3/roles/:id/implies', zed: adminOnly(200), request: async (fx) => ({ path: `/v3/roles/${(await fx.implication())[0]}/implies` }) },
  { route: 'PUT /v3/roles/:id/implies/:impliedId', zed: adminOnly(201), request: async (fx) => ({ path: `/v3/roles/${await fx.role()}/implies/${await fx.role()}` }) },
  { route: 'GET /v3/roles/:id/implies/:impliedId', zed: adminOnly(200), request: async (fx) => ({ path: `/v3/roles/${(await fx.implication()).join('/implies/')}` }) },
  { route: 'DELETE /v3/roles/:id/implies/:impliedId', zed: adminOnly(204), request: async (fx) => ({ path: `/v3/roles/${(await fx.implication()).join('/implies/')}` }) },
  { route: 'GET /v3/role_inferences', zed: adminOnly(200), request: () => ({ path: '/v3/role_inferences' }) },
];

/** Every grant route: {projects, domains} × {users, groups}, plain and OS-INHERIT; grants of the member or a group on the owning project or domain. */
function grantRows(): Row[] {
  const rows: Row[] = [];
  for (const targets of ['projects', 'domains'] as const) {
    for (const actors of ['users', 'groups'] as const) {
      for (const inherited of [false, true]) {
        const base = `${inherited ? '/v3/OS-INHERIT' : '/v3'}/${targets}/:targetId/${actors}/:actorId/roles`;
        const suffix = inherited ? '/inherited_to_projects' : '';
        const path = async (fx: IdentityMatrixFixture) => {
          const target = targets === 'projects' ? fx.ownerProject : fx.defaultDomain;
          const actor = actors === 'users' ? fx.memberUser : await fx.group();
          return `${inherited ? '/v3/OS-INHERIT' : '/v3'}/${targets}/${target}/${actors}/${actor}/roles`;
        };
        const granted = async (fx: IdentityMatrixFixture) => {
          const grant = `${await path(fx)}/${await fx.role()}${suffix}`;
          await fx.grant(grant);
          return grant;
        };
        rows.push(
          { route: `GET ${base}${suffix}`, zed: adminOnly(200), request: async (fx) => ({ path: `${await path(fx)}${suffix}` }) },
          { route: `PUT ${base}/:roleId${suffix}`, zed: adminOnly(204), request: async (fx) => ({ path: `${await path(fx)}/${await fx.role()}${suffix}` }) },
          { route: `GET ${base}/:roleId${suffix}`, zed: adminOnly(204), request: async (fx) => ({ path: await granted(fx) }) },
          { route: `DELETE ${base}/:roleId${suffix}`, zed: adminOnly(204), request: async (fx) => ({ path: await granted(fx) }) },
        );
      }
    }
  }
  return rows;
}

function systemGrantRows(): Row[] {
  return (['users', 'groups'] as const).flatMap((actors) => {
    const base = `/v3/system/${actors}/:actorId/roles`;
    const path = async (fx: IdentityMatrixFixture) => `/v3/system/${actors}/${actors === 'users' ? fx.memberUser : await fx.group()}/roles`;
    const granted = async (fx: IdentityMatrixFixture) => {
      const grant = `${await path(fx)}/${await fx.role()}`;
      await fx.grant(grant);
      return grant;
    };
    return [
      { route: `GET ${base}`, zed: adminOnly(200), request: async (fx: IdentityMatrixFixture) => ({ path: await path(fx) }) },
      { route: `PUT ${base}/:roleId`, zed: adminOnly(204), request: async (fx: IdentityMatrixFixture) => ({ path: `${await path(fx)}/${await fx.role()}` }) },
      { route: `GET ${base}/:roleId`, zed: adminOnly(204), request: async (fx: IdentityMatrixFixture) => ({ path: await granted(fx) }) },
      { route: `DELETE ${base}/:roleId`, zed: adminOnly(204), request: async (fx: IdentityMatrixFixture) => ({ path: await granted(fx) }) },
    ];
  });
}

const ASSIGNMENT_ROWS: Row[] = [
  // Zed: the administrator, a system reader or a reader of the domain asked about; not a project member listing its own.
  { route: 'GET /v3/role_assignments', zed: adminOnly(200), request: (fx) => ({ path: `/v3/role_assignments?user.id=${fx.memberUser}` }) },
];

const CATALOG_ROWS: Row[] = [
  // Keystone's region reads have an empty rule: any token.
  { route: 'GET /v3/regions', zed: ANYONE, request: () => ({ path: '/v3/regions' }) },
  { route: 'POST /v3/regions', zed: adminOnly(201), request: () => ({ path: '/v3/regions', body: { region: { description: 'r' } } }) },
  { route: 'PUT /v3/regions/:id', zed: adminOnly(201), request: () => ({ path: `/v3/regions/${unique('region')}`, body: { region: { description: 'r' } } }) },
  { route: 'GET /v3/regions/:id', zed: ANYONE, request: async (fx) => ({ path: `/v3/regions/${await fx.region()}` }) },
  { route: 'PATCH /v3/regions/:id', zed: adminOnly(200), request: async (fx) => ({ path: `/v3/regions/${await fx.region()}`, body: { region: { description: 'x' } } }) },
  { route: 'DELETE /v3/regions/:id', zed: adminOnly(204), request: async (fx) => ({ path: `/v3/regions/${await fx.region()}` }) },
  ...adminCrud('services', 'service', (fx) => fx.service(), () => ({ type: 'compute', name: unique('service') }), { description: 's' }),
  { route: 'GET /v3/endpoints', zed: adminOnly(200), request: () => ({ path: '/v3/endpoints' }) },
  {
    route: 'POST /v3/endpoints',
    zed: adminOnly(201),
    request: async (fx) => ({ path: '/v3/endpoints', body: { endpoint: { service_id: await fx.service(), interface: 'public', url: 'http://x' } } }),
  },
  { route: 'GET /v3/endpoints/:id', zed: adminOnly(200), request: async (fx) => ({ path: `/v3/endpoints/${await fx.endpoint()}` }) },
  { route: 'PATCH /v3/endpoints/:id', zed: adminOnly(200), request: async (fx) => ({ path: `/v3/endpoints/${await fx.endpoint()}`, body: { endpoint: { url: 'http://y' } } }) },
  { route: 'DELETE /v3/endpoints/:id', zed: adminOnly(204), request: async (fx) => ({ path: `/v3/endpoints/${await fx.endpoint()}` }) },
];

const credentials = (fx: IdentityMatrixFixture) => `/v3/users/${fx.memberUser}/application_credentials`;

const APPLICATION_CREDENTIAL_ROWS: Row[] = [
  { route: 'GET /v3/users/:userId/application_credentials', zed: OWN, request: (fx) => ({ path: credentials(fx) }) },
  // rule:owner alone: not even the administrator creates one for another user.
  {
    route: 'POST /v3/users/:userId/application_credentials',
    zed: statuses(403, 201, 403, 403),
    request: (fx) => ({ path: credentials(fx), body: { application_credential: { name: unique('cred') } } }),
  },
  { route: 'GET /v3/users/:userId/application_credentials/:id', zed: OWN, request: async (fx) => ({ path: `${credentials(fx)}/${await fx.memberCredential()}` }) },
  {
    route: 'DELETE /v3/users/:userId/application_credentials/:id',
    zed: statuses(204, 204, 403, 403),
    request: async (fx) => ({ path: `${credentials(fx)}/${await fx.memberCredential()}` }),
  },
  { route: 'GET /v3/users/:userId/access_rules', zed: OWN, request: (fx) => ({ path: `/v3/users/${fx.memberUser}/access_rules` }) },
  { route: 'GET /v3/users/:userId/access_rules/:id', zed: OWN, request: async (fx) => ({ path: `/v3/users/${fx.memberUser}/access_rules/${await fx.memberAccessRule()}` }) },
  {
    route: 'DELETE /v3/users/:userId/access_rules/:id',
    zed: statuses(204, 204, 403, 403),
    request: async (fx) => ({ path: `/v3/users/${fx.memberUser}/access_rules/${await fx.memberAccessRule()}` }),
  },
];

const ec2 = (fx: IdentityMatrixFixture) => `/v3/users/${fx.memberUser}/credentials/OS-EC2`;
/** The owner of a credential and the administrator; `ok` is the status of a success. */
const credentialOwner = (ok: number) => statuses(ok, ok, 403, 403);

const CREDENTIAL_ROWS: Row[] = [
  // Everyone lists; each sees the credentials they may read.
  { route: 'GET /v3/credentials', zed: ANYONE, request: () => ({ path: '/v3/credentials' }) },
  {
    route: 'POST /v3/credentials',
    zed: credentialOwner(201),
    request: (fx) => ({ path: '/v3/credentials', body: { credential: { user_id: fx.memberUser, type: 'cert', blob: unique('blob') } } }),
  },
  { route: 'GET /v3/credentials/:id', zed: OWN, request: async (fx) => ({ path: `/v3/credentials/${await fx.memberStoredCredential()}` }) },
  {
    route: 'PATCH /v3/credentials/:id',
    zed: credentialOwner(200),
    request: async (fx) => ({ path: `/v3/credentials/${await fx.memberStoredCredential()}`, body: { credential: { blob: 'changed' } } }),
  },
  { route: 'DELETE /v3/credentials/:id', zed: credentialOwner(204), request: async (fx) => ({ path: `/v3/credentials/${await fx.memberStoredCredential()}` }) },
  { route: 'GET /v3/users/:userId/credentials/OS-EC2', zed: OWN, request: (fx) => ({ path: ec2(fx) }) },
  { route: 'POST /v3/users/:userId/credentials/OS-EC2', zed: credentialOwner(201), request: (fx) => ({ path: ec2(fx), body: { tenant_id: fx.ownerProject } }) },
  { route: 'GET /v3/users/:userId/credentials/OS-EC2/:access', zed: OWN, request: async (fx) => ({ path: `${ec2(fx)}/${await fx.memberEc2Credential()}` }) },
  { route: 'DELETE /v3/users/:userId/credentials/OS-EC2/:access', zed: credentialOwner(204), request: async (fx) => ({ path: `${ec2(fx)}/${await fx.memberEc2Credential()}` }) },
];

const ADMIN_BLOB_ROWS: Row[] = [
  ...adminCrud('policies', 'policy', (fx) => fx.policy(), () => ({ type: 'application/json', blob: '{}' }), { blob: '{"a": 1}' }),
  ...adminCrud('OS-EP-FILTER/endpoint_groups', 'endpoint_group', (fx) => fx.endpointGroup(), () => ({ name: unique('group'), filters: { interface: 'public' } }), { description: 'e' }),
  ...adminCrud('OS-OAUTH1/consumers', 'consumer', (fx) => fx.consumer(), () => ({ description: 'c' }), { description: 'd' }),
];

const config = async (fx: IdentityMatrixFixture, rest = '') => `/v3/domains/${await fx.configuredDomain()}/config${rest}`;

const DOMAIN_CONFIG_ROWS: Row[] = [
  { route: 'GET /v3/domains/config/default', zed: adminOnly(200), request: () => ({ path: '/v3/domains/config/default' }) },
  { route: 'GET /v3/domains/config/:group/default', zed: adminOnly(200), request: () => ({ path: '/v3/domains/config/ldap/default' }) },
  { route: 'GET /v3/domains/config/:group/:option/default', zed: adminOnly(200), request: () => ({ path: '/v3/domains/config/ldap/url/default' }) },
  {
    route: 'PUT /v3/domains/:id/config',
    zed: adminOnly(201),
    request: async (fx) => ({ path: `/v3/domains/${await fx.domain()}/config`, body: { config: { identity: { driver: 'ldap' } } } }),
  },
  { route: 'GET /v3/domains/:id/config', zed: adminOnly(200), request: async (fx) => ({ path: await config(fx) }) },
  { route: 'PATCH /v3/domains/:id/config', zed: adminOnly(200), request: async (fx) => ({ path: await config(fx), body: { config: { ldap: { user: 'u' } } } }) },
  { route: 'DELETE /v3/domains/:id/config', zed: adminOnly(204), request: async (fx) => ({ path: await config(fx) }) },
  { route: 'GET /v3/domains/:id/config/:group', zed: adminOnly(200), request: async (fx) => ({ path: await config(fx, '/ldap') }) },
  { route: 'PATCH /v3/domains/:id/config/:group', zed: adminOnly(200), request: async (fx) => ({ path: await config(fx, '/ldap'), body: { config: { ldap: { url: 'ldap://b' } } } }) },
  { route: 'DELETE /v3/domains/:id/config/:group', zed: adminOnly(204), request: async (fx) => ({ path: await config(fx, '/ldap') }) },
  { route: 'GET /v3/domains/:id/config/:group/:option', zed: adminOnly(200), request: async (fx) => ({ path: await config(fx, '/ldap/url') }) },
  { route: 'PATCH /v3/domains/:id/config/:group/:option', zed: adminOnly(200), request: async (fx) => ({ path: await config(fx, '/ldap/url'), body: { config: { url: 'ldap://c' } } }) },
  { route: 'DELETE /v3/domains/:id/config/:group/:option', zed: adminOnly(204), request: async (fx) => ({ path: await config(fx, '/ldap/url') }) },
];

const trusts = '/v3/OS-TRUST/trusts';
/** The trust's trustor (the member) and trustee (the reader) and the administrator. */
const TRUST_PARTIES = statuses(200, 200, 403, 200);

const TRUST_ROWS: Row[] = [
  { route: 'GET /v3/OS-TRUST/trusts', zed: adminOnly(200), request: () => ({ path: trusts }) },
  { route: 'GET /v3/OS-TRUST/trusts/', zed: adminOnly(200), request: () => ({ path: `${trusts}/` }) },
  // rule:trustor alone: the administrator cannot create a trust for someone else either.
  {
    route: 'POST /v3/OS-TRUST/trusts',
    zed: statuses(403, 201, 403, 403),
    request: async (fx) => ({
      path: trusts,
      body: { trust: { trustor_user_id: fx.memberUser, trustee_user_id: await fx.user(), impersonation: false, project_id: fx.ownerProject, roles: [{ name: 'member' }] } },
    }),
  },
  { route: 'GET /v3/OS-TRUST/trusts/:trustId', zed: TRUST_PARTIES, request: async (fx) => ({ path: `${trusts}/${(await fx.memberTrust()).trustId}` }) },
  { route: 'DELETE /v3/OS-TRUST/trusts/:trustId', zed: statuses(204, 204, 403, 403), request: async (fx) => ({ path: `${trusts}/${(await fx.memberTrust()).trustId}` }) },
  { route: 'GET /v3/OS-TRUST/trusts/:trustId/roles', zed: TRUST_PARTIES, request: async (fx) => ({ path: `${trusts}/${(await fx.memberTrust()).trustId}/roles` }) },
  ...(['GET', 'HEAD'] as const).map((method) => ({
    route: `${method} /v3/OS-TRUST/trusts/:trustId/roles/:roleId`,
    zed: TRUST_PARTIES,
    request: async (fx: IdentityMatrixFixture) => {
      const { trustId, roleId } = await fx.memberTrust();
      return { path: `${trusts}/${trustId}/roles/${roleId}` };
    },
  })),
];

/** The member's token is the subject: its own user and the administrator may look at it (and revoke it). */
const subject = async (fx: IdentityMatrixFixture) => ({ path: '/v3/auth/tokens', headers: { 'x-subject-token': await fx.memberToken() } });

const AUTH_ROWS: Row[] = [
  {
    route: 'POST /v3/auth/tokens',
    zed: statuses(201, 201, 201, 201, 201),
    request: async (fx) => ({
      path: '/v3/auth/tokens',
      body: { auth: { identity: { methods: ['password'], password: { user: { id: fx.memberUser, password: await fx.memberPassword() } } } } },
    }),
  },
  { route: 'GET /v3/auth/tokens', zed: OWN, request: subject },
  { route: 'HEAD /v3/auth/tokens', zed: OWN, request: subject },
  { route: 'DELETE /v3/auth/tokens', zed: statuses(204, 204, 403, 403), request: subject },
  { route: 'GET /v3/auth/projects', zed: ANYONE, request: () => ({ path: '/v3/auth/projects' }) },
  { route: 'GET /v3/auth/domains', zed: ANYONE, request: () => ({ path: '/v3/auth/domains' }) },
  { route: 'GET /v3/auth/catalog', zed: ANYONE, request: () => ({ path: '/v3/auth/catalog' }) },
];

const VERSION_ROWS: Row[] = [
  { route: 'GET /', zed: statuses(300, 300, 300, 300, 300), request: () => ({ path: '/' }) },
  { route: 'GET /v3', zed: PUBLIC, request: () => ({ path: '/v3' }) },
  { route: 'GET /v3/', zed: PUBLIC, request: () => ({ path: '/v3/' }) },
];

export const IDENTITY_POLICY_MATRIX: readonly Row[] = [
  ...VERSION_ROWS,
  ...AUTH_ROWS,
  ...DOMAIN_ROWS,
  ...PROJECT_ROWS,
  ...USER_ROWS,
  ...APPLICATION_CREDENTIAL_ROWS,
  ...CREDENTIAL_ROWS,
  ...ADMIN_BLOB_ROWS,
  ...DOMAIN_CONFIG_ROWS,
  ...TRUST_ROWS,
  ...GROUP_ROWS,
  ...ROLE_ROWS,
  ...grantRows(),
  ...systemGrantRows(),
  ...ASSIGNMENT_ROWS,
  ...CATALOG_ROWS,
];
