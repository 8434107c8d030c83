import type { Database } from '../../common/db/database.js';
import { ApplicationCredentialStore } from './application-credential-store.js';
import { AssignmentStore } from './assignment-store.js';
import { CatalogServiceStore, EndpointStore, RegionStore } from './catalog-store.js';
import { CredentialStore } from './credential-store.js';
import { DomainConfigStore } from './domain-config-store.js';
import { DomainStore } from './domain-store.js';
import { EndpointGroupStore } from './endpoint-group-store.js';
import { GroupStore } from './group-store.js';
import { OAuthConsumerStore } from './oauth-consumer-store.js';
import { PolicyStore } from './policy-store.js';
import { ProjectStore } from './project-store.js';
import { RoleStore } from './role-store.js';
import { SystemAssignmentStore } from './system-assignment-store.js';
import { TrustStore } from './trust-store.js';
import { UserStore } from './user-store.js';

/** Identity's store: the only code that issues SQL against identity's resource tables, one part per table. */
export interface IdentityStores {
  readonly domains: DomainStore;
  readonly projects: ProjectStore;
  readonly users: UserStore;
  readonly groups: GroupStore;
  readonly roles: RoleStore;
  readonly assignments: AssignmentStore;
  readonly regions: RegionStore;
  readonly services: CatalogServiceStore;
  readonly endpoints: EndpointStore;
  readonly applicationCredentials: ApplicationCredentialStore;
  readonly credentials: CredentialStore;
  readonly policies: PolicyStore;
  readonly endpointGroups: EndpointGroupStore;
  readonly oauthConsumers: OAuthConsumerStore;
  readonly domainConfigs: DomainConfigStore;
  readonly trusts: TrustStore;
  readonly systemAssignments: SystemAssignmentStore;
}

export function createIdentityStores(database: Database): IdentityStores {
  return {
    domains: new DomainStore(database),
    projects: new ProjectStore(database),
    users: new UserStore(database),
    groups: new GroupStore(database),
    roles: new RoleStore(database),
    assignments: new AssignmentStore(database),
    regions: new RegionStore(database),
    services: new CatalogServiceStore(database),
    endpoints: new EndpointStore(database),
    applicationCredentials: new ApplicationCredentialStore(database),
    credentials: new CredentialStore(database),
    policies: new PolicyStore(database),
    endpointGroups: new EndpointGroupStore(database),
    oauthConsumers: new OAuthConsumerStore(database),
    domainConfigs: new DomainConfigStore(database),
    trusts: new TrustStore(database),
    systemAssignments: new SystemAssignmentStore(database),
  };
}
