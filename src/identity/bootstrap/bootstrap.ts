import type { EndpointInterface } from '../db/tables.js';
import { DEFAULT_DOMAIN_ID, type DomainRef } from '../resources/domains.js';
import type { IdentityManagers } from '../resources/index.js';
import type { ProjectRef } from '../resources/projects.js';
import type { RoleRef } from '../resources/roles.js';
import type { UserRef } from '../resources/users.js';

/** One catalog service to register, with its URL per interface. */
export interface BootstrapEndpoint {
  /** Catalog type: identity, compute, image, volumev3, block-storage, network. */
  readonly type: string;
  /** Service name: keystone, nova, glance, cinderv3, cinder, neutron. */
  readonly name: string;
  readonly urls: Readonly<Record<EndpointInterface, string>>;
}

export interface BootstrapOptions {
  readonly adminPassword: string;
  readonly demoPassword: string;
  /** The region every endpoint is in: RegionOne. */
  readonly region: string;
  readonly endpoints: readonly BootstrapEndpoint[];
}

/** What the bootstrap made sure exists, for writing credentials files. */
export interface BootstrapResult {
  readonly domain: DomainRef;
  readonly roles: { readonly admin: RoleRef; readonly member: RoleRef; readonly reader: RoleRef };
  readonly admin: { readonly user: UserRef; readonly project: ProjectRef };
  readonly demo: { readonly user: UserRef; readonly project: ProjectRef };
}

const INTERFACES: readonly EndpointInterface[] = ['public', 'internal', 'admin'];

/**
 * keystone-manage bootstrap, extended with the demo persona and the whole catalog: ensures the
 * Default domain, roles admin ⊃ member ⊃ reader, the admin and demo projects and users with
 * their roles, the region and every service's endpoints (URLs updated when they moved, e.g. to a
 * new port). Running it again with the same options changes nothing; a changed password is set.
 */
export async function bootstrapIdentity(managers: IdentityManagers, options: BootstrapOptions): Promise<BootstrapResult> {
  const domain = await ensureDefaultDomain(managers);
  const admin = await ensureRole(managers, 'admin');
  const member = await ensureRole(managers, 'member');
  const reader = await ensureRole(managers, 'reader');
  await managers.roles.createImplied(admin.id, member.id);
  await managers.roles.createImplied(member.id, reader.id);

  // The two personas side by side: each password costs a scrypt, which runs off the event loop.
  const [adminPersona, demoPersona] = await Promise.all([
    ensurePersona(managers, 'admin', 'Bootstrap project for initializing the cloud.', options.adminPassword, admin.id),
    ensurePersona(managers, 'demo', 'Project for the demo user.', options.demoPassword, member.id),
  ]);

  await ensureRegion(managers, options.region);
  for (const endpoint of options.endpoints) await ensureCatalogService(managers, endpoint, options.region);
  return {
    domain,
    roles: { admin, member, reader },
    admin: adminPersona,
    demo: demoPersona,
  };
}

/** A project, a user of that name whose default project it is, and the user's role on it. */
async function ensurePersona(
  managers: IdentityManagers,
  name: string,
  description: string,
  password: string,
  roleId: string,
): Promise<{ user: UserRef; project: ProjectRef }> {
  const project = await ensureProject(managers, name, description);
  const user = await ensureUser(managers, name, password, project.id);
  await managers.assignments.grant({ actor: { userId: user.id }, target: { projectId: project.id }, roleId });
  return { user, project };
}

async function ensureDefaultDomain(managers: IdentityManagers): Promise<DomainRef> {
  const existing = await managers.domains.list({ name: 'Default' });
  if (existing[0] !== undefined) return existing[0];
  return managers.domains.create({ id: DEFAULT_DOMAIN_ID, name: 'Default', description: 'The default domain' });
}

async function ensureRole(managers: IdentityManagers, name: string): Promise<RoleRef> {
  return (await managers.roles.list({ name }))[0] ?? managers.roles.create({ name });
}

async function ensureProject(managers: IdentityManagers, name: string, description: string): Promise<ProjectRef> {
  return (
    (await managers.projects.findByName(name, DEFAULT_DOMAIN_ID)) ??
    managers.projects.create({ name, domain_id: DEFAULT_DOMAIN_ID, description })
  );
}

async function ensureUser(managers: IdentityManagers, name: string, password: string, projectId: string): Promise<UserRef> {
  const existing = await managers.users.findByName(name, DEFAULT_DOMAIN_ID);
  if (existing === undefined) {
    return managers.users.create({ name, domain_id: DEFAULT_DOMAIN_ID, password, default_project_id: projectId });
  }
  const passwordMatches = await managers.users.passwordMatches(existing.id, password);
  if (existing.enabled && passwordMatches) return existing;
  return managers.users.update(existing.id, { enabled: true, ...(passwordMatches ? {} : { password }) });
}

async function ensureRegion(managers: IdentityManagers, id: string): Promise<void> {
  if ((await managers.regions.list()).some((region) => region.id === id)) return;
  await managers.regions.create({ id });
}

async function ensureCatalogService(managers: IdentityManagers, wanted: BootstrapEndpoint, regionId: string): Promise<void> {
  const service =
    (await managers.services.list({ type: wanted.type, name: wanted.name }))[0] ??
    (await managers.services.create({ type: wanted.type, name: wanted.name }));
  const endpoints = await managers.endpoints.list({ service_id: service.id, region_id: regionId });
  for (const iface of INTERFACES) {
    const url = wanted.urls[iface];
    const endpoint = endpoints.find((candidate) => candidate.interface === iface);
    if (endpoint === undefined) {
      await managers.endpoints.create({ service_id: service.id, interface: iface, region_id: regionId, url });
    } else if (endpoint.url !== url) {
      await managers.endpoints.update(endpoint.id, { url });
    }
  }
}
