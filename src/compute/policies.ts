import type { RuleDefault } from '../common/policy/policy.js';

/**
 * Nova's policy defaults (Zed, new defaults), under Nova's rule names, for the flavor, key pair,
 * quota and limits APIs. Nova's base rules are written out: ADMIN is the admin role,
 * PROJECT_READER_OR_ADMIN a reader of the target project. Targets are built as Nova builds them:
 * key pairs carry their `user_id`, quota sets and limits the `project_id` asked about. Listing
 * and showing flavors has no rule in Nova.
 */
const ADMIN = 'role:admin';
const PROJECT_READER_OR_ADMIN = 'role:admin or (role:reader and project_id:%(project_id)s)';
const ADMIN_OR_KEYPAIR_OWNER = 'role:admin or user_id:%(user_id)s';
const ANY = '@';

function rule(name: string, checkStr: string, description: string): RuleDefault {
  return { name, checkStr, description };
}

export const COMPUTE_POLICIES: readonly RuleDefault[] = [
  rule('os_compute_api:os-flavor-manage:create', ADMIN, 'Create a flavor.'),
  rule('os_compute_api:os-flavor-manage:update', ADMIN, "Update a flavor's description."),
  rule('os_compute_api:os-flavor-manage:delete', ADMIN, 'Delete a flavor.'),
  rule('os_compute_api:os-flavor-extra-specs:index', PROJECT_READER_OR_ADMIN, "List a flavor's extra specs."),
  rule('os_compute_api:os-flavor-extra-specs:show', PROJECT_READER_OR_ADMIN, 'Show one extra spec of a flavor.'),
  rule('os_compute_api:os-flavor-extra-specs:create', ADMIN, 'Add extra specs to a flavor.'),
  rule('os_compute_api:os-flavor-extra-specs:update', ADMIN, 'Update one extra spec of a flavor.'),
  rule('os_compute_api:os-flavor-extra-specs:delete', ADMIN, 'Delete one extra spec of a flavor.'),
  rule('os_compute_api:os-flavor-access', ADMIN, 'List the projects a private flavor is shared with.'),
  rule('os_compute_api:os-flavor-access:add_tenant_access', ADMIN, 'Share a private flavor with a project.'),
  rule('os_compute_api:os-flavor-access:remove_tenant_access', ADMIN, 'Stop sharing a private flavor with a project.'),
  rule('os_compute_api:os-keypairs:index', ADMIN_OR_KEYPAIR_OWNER, "List a user's key pairs."),
  rule('os_compute_api:os-keypairs:create', ADMIN_OR_KEYPAIR_OWNER, 'Create or import a key pair.'),
  rule('os_compute_api:os-keypairs:show', ADMIN_OR_KEYPAIR_OWNER, 'Show a key pair.'),
  rule('os_compute_api:os-keypairs:delete', ADMIN_OR_KEYPAIR_OWNER, 'Delete a key pair.'),
  rule('os_compute_api:os-quota-sets:show', PROJECT_READER_OR_ADMIN, "Show a project's quotas."),
  rule('os_compute_api:os-quota-sets:detail', PROJECT_READER_OR_ADMIN, "Show a project's quotas with usage."),
  rule('os_compute_api:os-quota-sets:defaults', ANY, 'Show the default quotas.'),
  rule('os_compute_api:os-quota-sets:update', ADMIN, "Update a project's quotas."),
  rule('os_compute_api:os-quota-sets:delete', ADMIN, "Revert a project's quotas to the defaults."),
  rule('os_compute_api:limits', ANY, "Show the caller's project's limits and usage."),
  rule('os_compute_api:limits:other_project', ADMIN, "Show another project's limits (tenant_id)."),
];
