import { rule, type RuleDefault } from '../common/policy/policy.js';

/**
 * Identity's policy defaults, in oslo.policy check-string syntax. Three personas: `admin`
 * (role:admin) may do everything; a project `member` or `reader` may read their own user,
 * projects and domain and change their own password; the rest is admin only, as in Keystone Zed
 * for project-scoped tokens.
 * Targets are built as Keystone builds them: `target.<entity>` for the entity acted on, path
 * parameters (`user_id`) and list filters (`user.id`) at the top level.
 */
const ADMIN = 'rule:admin_required';

function adminOnly(action: string, description: string): RuleDefault {
  return rule(`identity:${action}`, ADMIN, description);
}

const BASE_RULES: RuleDefault[] = [
  rule('admin_required', 'role:admin', 'The cloud administrator.'),
  rule('owner', 'user_id:%(user_id)s', 'The user the request is about (the `user_id` path parameter).'),
  rule('admin_or_owner', 'rule:admin_required or rule:owner', 'The administrator, or the user the request is about.'),
];

const DOMAIN_RULES: RuleDefault[] = [
  // Keystone's token.domain.id / token.project.domain.id: a token scoped to the domain or to one of its projects.
  rule('identity:get_domain', `${ADMIN} or domain_id:%(target.domain.id)s or project_domain_id:%(target.domain.id)s`, 'Show a domain.'),
  adminOnly('list_domains', 'List domains.'),
  adminOnly('create_domain', 'Create a domain.'),
  adminOnly('update_domain', 'Update a domain.'),
  adminOnly('delete_domain', 'Delete a domain.'),
];

const PROJECT_RULES: RuleDefault[] = [
  rule('identity:get_project', `${ADMIN} or project_id:%(target.project.id)s`, 'Show a project.'),
  adminOnly('list_projects', 'List projects.'),
  rule('identity:list_user_projects', 'rule:admin_or_owner', "List a user's projects."),
  adminOnly('create_project', 'Create a project.'),
  adminOnly('update_project', 'Update a project.'),
  adminOnly('delete_project', 'Delete a project.'),
  rule('identity:list_project_tags', `${ADMIN} or project_id:%(target.project.id)s`, 'List tags for a project.'),
  rule('identity:get_project_tag', `${ADMIN} or project_id:%(target.project.id)s`, 'Check if project contains a tag.'),
  adminOnly('update_project_tags', 'Replace all tags on a project with the new set of tags.'),
  adminOnly('create_project_tag', 'Add a single tag to a project.'),
  adminOnly('delete_project_tags', 'Remove all tags from a project.'),
  adminOnly('delete_project_tag', 'Delete a specified tag from project.'),
];

const USER_RULES: RuleDefault[] = [
  rule('identity:get_user', `${ADMIN} or user_id:%(target.user.id)s`, 'Show a user.'),
  adminOnly('list_users', 'List users.'),
  adminOnly('create_user', 'Create a user.'),
  adminOnly('update_user', 'Update a user (an administrator may reset the password).'),
  adminOnly('delete_user', 'Delete a user.'),
];

const GROUP_RULES: RuleDefault[] = [
  adminOnly('get_group', 'Show a group.'),
  adminOnly('list_groups', 'List groups.'),
  rule('identity:list_groups_for_user', 'rule:admin_or_owner', "List a user's groups."),
  adminOnly('create_group', 'Create a group.'),
  adminOnly('update_group', 'Update a group.'),
  adminOnly('delete_group', 'Delete a group.'),
  adminOnly('list_users_in_group', "List a group's users."),
  adminOnly('add_user_to_group', 'Add a user to a group.'),
  adminOnly('check_user_in_group', 'Check whether a user is in a group.'),
  adminOnly('remove_user_from_group', 'Remove a user from a group.'),
];

const ROLE_RULES: RuleDefault[] = [
  adminOnly('get_role', 'Show a role.'),
  adminOnly('list_roles', 'List roles.'),
  adminOnly('create_role', 'Create a role.'),
  adminOnly('update_role', 'Update a role.'),
  adminOnly('delete_role', 'Delete a role.'),
  adminOnly('create_implied_role', 'Make one role imply another.'),
  adminOnly('get_implied_role', 'Show a role implication.'),
  adminOnly('check_implied_role', 'Check a role implication.'),
  adminOnly('list_implied_roles', 'List the roles a role implies.'),
  adminOnly('delete_implied_role', 'Remove a role implication.'),
  adminOnly('list_role_inference_rules', 'List every role implication.'),
];

const ASSIGNMENT_RULES: RuleDefault[] = [
  adminOnly('check_grant', 'Check a role grant on a project or domain.'),
  adminOnly('list_grants', "List an actor's roles on a project or domain."),
  adminOnly('create_grant', 'Grant a role on a project or domain.'),
  adminOnly('revoke_grant', 'Revoke a role grant.'),
  // Zed also admits system readers and a domain-scoped reader (target.domain_id, which this route does not pass yet).
  adminOnly('list_role_assignments', 'List role assignments.'),
  // Zed: system readers check and list, system administrators grant and revoke.
  ...(['user', 'group'] as const).flatMap((actor) => [
    adminOnly(`check_system_grant_for_${actor}`, `Check if a ${actor} has a role on the system.`),
    adminOnly(`list_system_grants_for_${actor}`, `List all grants a ${actor} has on the system.`),
    adminOnly(`create_system_grant_for_${actor}`, `Grant a ${actor} a role on the system.`),
    adminOnly(`revoke_system_grant_for_${actor}`, `Remove a role from a ${actor} on the system.`),
  ]),
  adminOnly('list_role_assignments_for_tree', "List role assignments on a project's subtree."),
];

const CATALOG_RULES: RuleDefault[] = [
  // Keystone's empty rule: any token, whatever its roles.
  rule('identity:get_region', '', 'Show a region.'),
  rule('identity:list_regions', '', 'List regions.'),
  adminOnly('create_region', 'Create a region.'),
  adminOnly('update_region', 'Update a region.'),
  adminOnly('delete_region', 'Delete a region.'),
  adminOnly('get_service', 'Show a catalog service.'),
  adminOnly('list_services', 'List catalog services.'),
  adminOnly('create_service', 'Create a catalog service.'),
  adminOnly('update_service', 'Update a catalog service.'),
  adminOnly('delete_service', 'Delete a catalog service.'),
  adminOnly('get_endpoint', 'Show an endpoint.'),
  adminOnly('list_endpoints', 'List endpoints.'),
  adminOnly('create_endpoint', 'Create an endpoint.'),
  adminOnly('update_endpoint', 'Update an endpoint.'),
  adminOnly('delete_endpoint', 'Delete an endpoint.'),
];

const APPLICATION_CREDENTIAL_RULES: RuleDefault[] = [
  // Zed also admits a system reader to the reads; only the owner may create (scope_types project).
  rule('identity:get_application_credential', 'rule:admin_or_owner', 'Show application credential details.'),
  rule('identity:list_application_credentials', 'rule:admin_or_owner', 'List application credentials for a user.'),
  rule('identity:create_application_credential', 'rule:owner', 'Create an application credential.'),
  rule('identity:delete_application_credential', 'rule:admin_or_owner', 'Delete an application credential.'),
  // Zed: the system reader (admin to delete) or the owner, as for application credentials.
  rule('identity:get_access_rule', 'rule:admin_or_owner', 'Show access rule details.'),
  rule('identity:list_access_rules', 'rule:admin_or_owner', 'List access rules for a user.'),
  rule('identity:delete_access_rule', 'rule:admin_or_owner', 'Delete an access_rule.'),
];

const CRED_OWNER = 'user_id:%(target.credential.user_id)s';

const CREDENTIAL_RULES: RuleDefault[] = [
  // Zed also admits a system reader to the reads. A list is filtered by get_credential.
  rule('identity:get_credential', `${ADMIN} or ${CRED_OWNER}`, 'Show credentials details.'),
  rule('identity:list_credentials', `${ADMIN} or ${CRED_OWNER}`, 'List credentials.'),
  rule('identity:create_credential', `${ADMIN} or ${CRED_OWNER}`, 'Create credential.'),
  rule('identity:update_credential', `${ADMIN} or ${CRED_OWNER}`, 'Update credential.'),
  rule('identity:delete_credential', `${ADMIN} or ${CRED_OWNER}`, 'Delete credential.'),
  // Zed's new defaults (a member owning the credential) or'ed with the deprecated admin_or_owner of the path's user.
  rule('identity:ec2_get_credential', `${ADMIN} or ${CRED_OWNER}`, 'Retrieve EC2 credential for a user.'),
  rule('identity:ec2_list_credentials', 'rule:admin_or_owner', 'List all EC2 credentials for a user.'),
  rule('identity:ec2_create_credential', 'rule:admin_or_owner', 'Create an EC2 credential for a user.'),
  rule('identity:ec2_delete_credential', `${ADMIN} or ${CRED_OWNER}`, 'Delete an EC2 credential for a user.'),
];

const POLICY_RULES: RuleDefault[] = [
  // Zed also admits a system reader to the reads.
  adminOnly('get_policy', 'Show policy details.'),
  adminOnly('list_policies', 'List policies.'),
  adminOnly('create_policy', 'Create policy.'),
  adminOnly('update_policy', 'Update policy.'),
  adminOnly('delete_policy', 'Delete policy.'),
];

const ENDPOINT_GROUP_RULES: RuleDefault[] = [
  adminOnly('get_endpoint_group', 'Get endpoint group.'),
  adminOnly('list_endpoint_groups', 'List endpoint groups.'),
  adminOnly('create_endpoint_group', 'Create endpoint group.'),
  adminOnly('update_endpoint_group', 'Update endpoint group.'),
  adminOnly('delete_endpoint_group', 'Delete endpoint group.'),
];

const CONSUMER_RULES: RuleDefault[] = [
  adminOnly('get_consumer', 'Show OAUTH1 consumer details.'),
  adminOnly('list_consumers', 'List OAUTH1 consumers.'),
  adminOnly('create_consumer', 'Create OAUTH1 consumer.'),
  adminOnly('update_consumer', 'Update OAUTH1 consumer.'),
  adminOnly('delete_consumer', 'Delete OAUTH1 consumer.'),
];

const DOMAIN_CONFIG_RULES: RuleDefault[] = [
  // Zed also admits a system reader to the reads.
  adminOnly('create_domain_config', 'Create domain configuration.'),
  adminOnly('get_domain_config', 'Get the entire domain configuration for a domain, an option group within a domain, or a specific configuration option within a group for a domain.'),
  adminOnly('update_domain_config', 'Update domain configuration for either a domain, specific group or a specific option in a group.'),
  adminOnly('delete_domain_config', 'Delete domain configuration for either a domain, specific group or a specific option in a group.'),
  adminOnly('get_domain_config_default', 'Get domain configuration default for either a domain, specific group or a specific option in a group.'),
];

// Keystone's target is the trust itself (target.trust.*), loaded before the check.
const TRUSTOR = 'user_id:%(target.trust.trustor_user_id)s';
const TRUSTEE = 'user_id:%(target.trust.trustee_user_id)s';

const TRUST_RULES: RuleDefault[] = [
  // Zed also admits a system reader to the reads; only the trustor creates (scope_types project).
  rule('identity:create_trust', TRUSTOR, 'Create trust.'),
  adminOnly('list_trusts', 'List trusts.'),
  rule('identity:list_trusts_for_trustor', `${ADMIN} or ${TRUSTOR}`, 'List trusts for trustor.'),
  rule('identity:list_trusts_for_trustee', `${ADMIN} or ${TRUSTEE}`, 'List trusts for trustee.'),
  rule('identity:list_roles_for_trust', `${ADMIN} or ${TRUSTOR} or ${TRUSTEE}`, 'List roles delegated by a trust.'),
  rule('identity:get_role_for_trust', `${ADMIN} or ${TRUSTOR} or ${TRUSTEE}`, 'Check if trust delegates a particular role.'),
  rule('identity:delete_trust', `${ADMIN} or ${TRUSTOR}`, 'Revoke trust.'),
  rule('identity:get_trust', `${ADMIN} or ${TRUSTOR} or ${TRUSTEE}`, 'Get trust.'),
];

export const IDENTITY_POLICIES: readonly RuleDefault[] = [
  ...BASE_RULES,
  ...DOMAIN_RULES,
  ...PROJECT_RULES,
  ...USER_RULES,
  ...GROUP_RULES,
  ...ROLE_RULES,
  ...ASSIGNMENT_RULES,
  ...CATALOG_RULES,
  ...APPLICATION_CREDENTIAL_RULES,
  ...CREDENTIAL_RULES,
  ...POLICY_RULES,
  ...ENDPOINT_GROUP_RULES,
  ...CONSUMER_RULES,
  ...DOMAIN_CONFIG_RULES,
  ...TRUST_RULES,
];
