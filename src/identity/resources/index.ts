import type { Database } from '../../common/db/database.js';
import { createIdentityStores } from '../db/identity-stores.js';
import { ApplicationCredentialManager, deletingApplicationCredentials } from './application-credentials.js';
import { AssignmentManager } from './assignments.js';
import { CatalogCache } from './catalog-cache.js';
import { CatalogServiceManager } from './catalog-services.js';
import { CredentialManager } from './credentials.js';
import { DomainConfigManager } from './domain-configs.js';
import { DomainManager } from './domains.js';
import { EndpointGroupManager } from './endpoint-groups.js';
import { EndpointManager } from './endpoints.js';
import { IGNORE_IDENTITY_EVENTS, type IdentityEvents } from './events.js';
import { GroupManager } from './groups.js';
import { OAuthConsumerManager } from './oauth-consumers.js';
import { PolicyManager } from './policies.js';
import { ProjectManager } from './projects.js';
import { RegionManager } from './regions.js';
import { RoleAssignmentLister } from './role-assignments.js';
import { RoleManager } from './roles.js';
import type { ResourceDeps } from './store.js';
import { SystemAssignmentManager } from './system-assignments.js';
import { TrustManager, withdrawingTrusts } from './trusts.js';
import { UserManager, type PasswordSettings } from './users.js';

/** Every identity resource manager, sharing one database and one event listener. */
export interface IdentityManagers {
  readonly domains: DomainManager;
  readonly projects: ProjectManager;
  readonly users: UserManager;
  readonly groups: GroupManager;
  readonly roles: RoleManager;
  readonly assignments: AssignmentManager;
  readonly roleAssignments: RoleAssignmentLister;
  readonly regions: RegionManager;
  readonly services: CatalogServiceManager;
  readonly endpoints: EndpointManager;
  readonly applicationCredentials: ApplicationCredentialManager;
  readonly credentials: CredentialManager;
  readonly policies: PolicyManager;
  readonly endpointGroups: EndpointGroupManager;
  readonly oauthConsumers: OAuthConsumerManager;
  readonly domainConfigs: DomainConfigManager;
  readonly trusts: TrustManager;
  readonly systemAssignments: SystemAssignmentManager;
}

export interface IdentityManagerOptions {
  readonly passwords: PasswordSettings;
  /** Told about changes that must revoke tokens; ignored when absent. */
  readonly events?: IdentityEvents;
  readonly now?: () => Date;
  /** `[catalog] cache_time`: seconds the token catalog is kept in memory (0 or absent: read every time). */
  readonly catalogCacheSeconds?: number;
}

export function createIdentityManagers(database: Database, options: IdentityManagerOptions): IdentityManagers {
  const tables = createIdentityStores(database);
  const now = options.now ?? (() => new Date());
  const store: ResourceDeps = {
    tables,
    events: withdrawingTrusts(deletingApplicationCredentials(options.events ?? IGNORE_IDENTITY_EVENTS, tables.applicationCredentials), tables),
    now,
  };
  const catalog = new CatalogCache(
    async () => ({ services: await tables.services.enabled(), endpoints: await tables.endpoints.enabled() }),
    (options.catalogCacheSeconds ?? 0) * 1000,
    () => now().getTime(),
  );
  const domains = new DomainManager(store);
  const projects = new ProjectManager(store, domains);
  const users = new UserManager(store, domains, options.passwords);
  const groups = new GroupManager(store, domains, users);
  const roles = new RoleManager(store);
  const assignments = new AssignmentManager(store, domains, projects, users, groups, roles);
  return {
    domains,
    projects,
    users,
    groups,
    roles,
    assignments,
    roleAssignments: new RoleAssignmentLister(store, projects, roles),
    regions: new RegionManager(store),
    services: new CatalogServiceManager(store, catalog),
    endpoints: new EndpointManager(store, catalog),
    applicationCredentials: new ApplicationCredentialManager(store, roles, assignments, options.passwords.hasher),
    credentials: new CredentialManager(store),
    policies: new PolicyManager(store),
    endpointGroups: new EndpointGroupManager(store),
    oauthConsumers: new OAuthConsumerManager(store),
    domainConfigs: new DomainConfigManager(store),
    trusts: new TrustManager(store, users, projects, roles, assignments),
    systemAssignments: new SystemAssignmentManager(store, users, groups, roles),
  };
}
