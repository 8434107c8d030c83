import type { Generated } from 'kysely';
import type { DbTimestamp } from '../../common/db/timestamps.js';

// Rows of the tables created by migrations/2026-11-22-identity-*.ts. Type aliases, not
// interfaces: Kysely's withTables() needs their implicit index signature. Columns named
// `extra`, `options` and `tags` hold JSON text.

export type DomainsTable = {
  id: string;
  name: string;
  description: string | null;
  enabled: boolean;
  tags: string;
  extra: string;
  created_at: DbTimestamp;
};

export type ProjectsTable = {
  id: string;
  name: string;
  domain_id: string;
  /** The parent project, or the domain id for a top-level project (as Keystone stores it). */
  parent_id: string;
  description: string | null;
  enabled: boolean;
  is_domain: boolean;
  tags: string;
  extra: string;
  created_at: DbTimestamp;
};

export type UsersTable = {
  id: string;
  name: string;
  domain_id: string;
  enabled: boolean;
  default_project_id: string | null;
  /** The PasswordHasher's opaque string; null for a user without a password. */
  password_hash: string | null;
  password_created_at: DbTimestamp | null;
  failed_auth_count: Generated<number>;
  last_failed_auth_at: DbTimestamp | null;
  options: string;
  /** Everything else the client sent: email, description … */
  extra: string;
  created_at: DbTimestamp;
};

export type GroupsTable = {
  id: string;
  name: string;
  domain_id: string;
  description: string | null;
  extra: string;
};

export type GroupMembersTable = {
  group_id: string;
  user_id: string;
};

export type RolesTable = {
  id: string;
  name: string;
  /** The owning domain, or NULL_DOMAIN_ID for a global role (so the unique key works everywhere). */
  domain_id: string;
  description: string | null;
  extra: string;
};

export type ImpliedRolesTable = {
  prior_role_id: string;
  implied_role_id: string;
};

export type AssignmentsTable = {
  type: AssignmentType;
  actor_id: string;
  target_id: string;
  role_id: string;
  inherited: boolean;
};

export type AssignmentType = 'UserProject' | 'GroupProject' | 'UserDomain' | 'GroupDomain';

export type RegionsTable = {
  id: string;
  description: string;
  parent_region_id: string | null;
  extra: string;
};

export type CatalogServicesTable = {
  id: string;
  type: string;
  name: string | null;
  description: string | null;
  enabled: boolean;
  extra: string;
};

export type EndpointsTable = {
  id: string;
  service_id: string;
  interface: EndpointInterface;
  region_id: string | null;
  url: string;
  enabled: boolean;
  extra: string;
};

export type EndpointInterface = 'public' | 'internal' | 'admin';

/** migrations/2026-12-06-identity-application-credentials.ts */
export type ApplicationCredentialsTable = {
  id: string;
  name: string;
  user_id: string;
  project_id: string;
  /** The PasswordHasher's opaque string of the secret. */
  secret_hash: string;
  description: string | null;
  /** UTC with microseconds, `2026-12-06T10:15:30.123456Z` (an ExpiryTime). */
  expires_at: string | null;
  unrestricted: boolean;
  created_at: DbTimestamp;
};

export type ApplicationCredentialRolesTable = {
  application_credential_id: string;
  role_id: string;
};

/** migrations/2026-12-06-identity-access-rules.ts: `id` is the id the API shows. */
export type AccessRulesTable = {
  id: string;
  user_id: string;
  /** A service type of the catalog: compute, image, … */
  service: string;
  /** A path template: `{name}` and `*` match one segment, `**` any number. */
  path: string;
  method: string;
};

export type ApplicationCredentialAccessRulesTable = {
  application_credential_id: string;
  access_rule_id: string;
};

/** migrations/2026-12-06-identity-credentials.ts */
export type CredentialsTable = {
  id: string;
  user_id: string;
  project_id: string | null;
  type: string;
  /** As the client sent it (JSON text for ec2). */
  blob: string;
  extra: string;
};

/** migrations/2026-12-06-identity-policies.ts */
export type PoliciesTable = {
  id: string;
  type: string;
  blob: string;
  extra: string;
};

/** migrations/2026-12-06-identity-endpoint-groups.ts; `filters` is a JSON object. */
export type EndpointGroupsTable = {
  id: string;
  name: string;
  description: string | null;
  filters: string;
};

/** migrations/2026-12-06-identity-oauth-consumers.ts */
export type OAuthConsumersTable = {
  id: string;
  description: string | null;
  secret: string;
  extra: string;
};

/** migrations/2026-12-06-identity-domain-configs.ts; `value` is JSON. */
export type DomainConfigsTable = {
  domain_id: string;
  group_name: string;
  option_name: string;
  value: string;
  sensitive: boolean;
};

/** migrations/2026-12-06-identity-trusts.ts */
export type TrustsTable = {
  id: string;
  trustor_user_id: string;
  trustee_user_id: string;
  project_id: string | null;
  impersonation: boolean;
  /** UTC with microseconds, `2026-12-06T10:15:30.123456Z` (an ExpiryTime). */
  expires_at: string | null;
  /** Tokens still to be issued for it; null: unlimited. */
  remaining_uses: number | null;
  redelegation_count: number;
  created_at: DbTimestamp;
};

export type TrustRolesTable = {
  trust_id: string;
  role_id: string;
};

/** migrations/2026-12-06-identity-system-assignments.ts */
export type SystemAssignmentsTable = {
  actor_type: 'user' | 'group';
  actor_id: string;
  role_id: string;
};

export type IdentityTables = {
  identity_domains: DomainsTable;
  identity_projects: ProjectsTable;
  identity_users: UsersTable;
  identity_groups: GroupsTable;
  identity_group_members: GroupMembersTable;
  identity_roles: RolesTable;
  identity_implied_roles: ImpliedRolesTable;
  identity_assignments: AssignmentsTable;
  identity_regions: RegionsTable;
  identity_catalog_services: CatalogServicesTable;
  identity_endpoints: EndpointsTable;
  identity_application_credentials: ApplicationCredentialsTable;
  identity_application_credential_roles: ApplicationCredentialRolesTable;
  identity_access_rules: AccessRulesTable;
  identity_application_credential_access_rules: ApplicationCredentialAccessRulesTable;
  identity_credentials: CredentialsTable;
  identity_policies: PoliciesTable;
  identity_endpoint_groups: EndpointGroupsTable;
  identity_oauth_consumers: OAuthConsumersTable;
  identity_domain_configs: DomainConfigsTable;
  identity_trusts: TrustsTable;
  identity_trust_roles: TrustRolesTable;
  identity_system_assignments: SystemAssignmentsTable;
};

/** Keystone's sentinel for "no domain" in the roles table. */
export const NULL_DOMAIN_ID = '<<null>>';
