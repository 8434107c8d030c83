import type { RuleDefault } from '../common/policy/policy.js';

/**
 * Nova's policy defaults (Zed, new defaults), under Nova's rule names, for the flavor, key pair,
 * quota, limits, server and admin APIs. Nova's base rules are written out: ADMIN is the admin role,
 * PROJECT_READER_OR_ADMIN a reader of the target project. Targets are built as Nova builds them:
 * key pairs carry their `user_id`, quota sets and limits the `project_id` asked about. Listing
 * and showing flavors has no rule in Nova.
 */
const ADMIN = 'role:admin';
const PROJECT_READER_OR_ADMIN = 'role:admin or (role:reader and project_id:%(project_id)s)';
const ADMIN_OR_KEYPAIR_OWNER = 'role:admin or user_id:%(user_id)s';
const ANY = '@';
const PROJECT_MEMBER_OR_ADMIN = 'role:admin or (role:member and project_id:%(project_id)s)';

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
  rule('os_compute_api:os-quota-class-sets:show', ADMIN, "Show a quota class's limits."),
  rule('os_compute_api:os-quota-class-sets:update', ADMIN, "Update a quota class's limits (the default class sets every project's defaults)."),
  rule('os_compute_api:limits', ANY, "Show the caller's project's limits and usage."),
  rule('os_compute_api:limits:other_project', ADMIN, "Show another project's limits (tenant_id)."),
  rule('os_compute_api:servers:index', PROJECT_READER_OR_ADMIN, 'List servers.'),
  rule('os_compute_api:servers:detail', PROJECT_READER_OR_ADMIN, 'List servers with details.'),
  rule('os_compute_api:servers:index:get_all_tenants', ADMIN, 'List servers of all projects.'),
  rule('os_compute_api:servers:detail:get_all_tenants', ADMIN, 'List servers of all projects with details.'),
  rule('os_compute_api:servers:show', PROJECT_READER_OR_ADMIN, 'Show a server.'),
  rule('os_compute_api:servers:create', PROJECT_MEMBER_OR_ADMIN, 'Create a server.'),
  rule('os_compute_api:servers:update', PROJECT_MEMBER_OR_ADMIN, 'Update a server.'),
  rule('os_compute_api:servers:delete', PROJECT_MEMBER_OR_ADMIN, 'Delete a server.'),
  rule('os_compute_api:servers:start', PROJECT_MEMBER_OR_ADMIN, 'Start a server.'),
  rule('os_compute_api:servers:stop', PROJECT_MEMBER_OR_ADMIN, 'Stop a server.'),
  rule('os_compute_api:servers:reboot', PROJECT_MEMBER_OR_ADMIN, 'Reboot a server.'),
  rule('os_compute_api:os-extended-server-attributes', ADMIN, 'Show OS-EXT-SRV-ATTR fields of servers.'),
  rule('os_compute_api:os-lock-server:lock', PROJECT_MEMBER_OR_ADMIN, 'Lock a server.'),
  rule('os_compute_api:os-lock-server:unlock', PROJECT_MEMBER_OR_ADMIN, 'Unlock a server.'),
  rule('os_compute_api:os-lock-server:unlock:unlock_override', ADMIN, 'Unlock a server an admin locked.'),
  rule('os_compute_api:os-admin-actions:reset_state', ADMIN, "Reset a server's state."),
  rule('os_compute_api:os-console-output', PROJECT_MEMBER_OR_ADMIN, "Show a server's console output."),
  rule('os_compute_api:os-deferred-delete:force', PROJECT_MEMBER_OR_ADMIN, 'Force-delete a server.'),
  rule('os_compute_api:server-metadata:index', PROJECT_READER_OR_ADMIN, "List a server's metadata."),
  rule('os_compute_api:server-metadata:show', PROJECT_READER_OR_ADMIN, 'Show one metadata item of a server.'),
  rule('os_compute_api:server-metadata:create', PROJECT_MEMBER_OR_ADMIN, 'Add metadata to a server.'),
  rule('os_compute_api:server-metadata:update_all', PROJECT_MEMBER_OR_ADMIN, "Replace a server's metadata."),
  rule('os_compute_api:server-metadata:update', PROJECT_MEMBER_OR_ADMIN, 'Update one metadata item of a server.'),
  rule('os_compute_api:server-metadata:delete', PROJECT_MEMBER_OR_ADMIN, 'Delete one metadata item of a server.'),
  rule('os_compute_api:os-instance-actions:list', PROJECT_READER_OR_ADMIN, "List a server's actions."),
  rule('os_compute_api:os-instance-actions:show', PROJECT_READER_OR_ADMIN, 'Show a server action.'),
  rule('os_compute_api:os-instance-actions:events', ADMIN, "Show a server action's events."),
  rule('os_compute_api:os-services:list', ADMIN, 'List compute services.'),
  rule('os_compute_api:os-services:update', ADMIN, 'Enable or disable a compute service.'),
  rule('os_compute_api:os-services:delete', ADMIN, 'Delete a compute service.'),
  rule('os_compute_api:os-hypervisors:list', ADMIN, 'List hypervisors.'),
  rule('os_compute_api:os-hypervisors:list-detail', ADMIN, 'List hypervisors with details.'),
  rule('os_compute_api:os-hypervisors:statistics', ADMIN, 'Show hypervisor statistics.'),
  rule('os_compute_api:os-hypervisors:show', ADMIN, 'Show a hypervisor.'),
  rule('os_compute_api:os-hypervisors:uptime', ADMIN, "Show a hypervisor's uptime (2.1-2.87)."),
  rule('os_compute_api:os-hypervisors:search', ADMIN, 'Search hypervisors by host name pattern (2.1-2.52).'),
  rule('os_compute_api:os-hypervisors:servers', ADMIN, 'List the servers of hypervisors matching a pattern (2.1-2.52).'),
  rule('os_compute_api:os-simple-tenant-usage:show', PROJECT_READER_OR_ADMIN, "Show a project's usage over a period."),
  rule('os_compute_api:os-simple-tenant-usage:list', ADMIN, "List every project's usage over a period."),
  rule('os_compute_api:os-availability-zone:list', ANY, 'List availability zones.'),
  rule('os_compute_api:os-availability-zone:detail', ADMIN, 'List availability zones with their hosts.'),
  rule('os_compute_api:os-aggregates:index', ADMIN, 'List aggregates.'),
  rule('os_compute_api:os-aggregates:create', ADMIN, 'Create an aggregate.'),
  rule('os_compute_api:os-aggregates:show', ADMIN, 'Show an aggregate.'),
  rule('os_compute_api:os-aggregates:update', ADMIN, 'Update an aggregate.'),
  rule('os_compute_api:os-aggregates:delete', ADMIN, 'Delete an aggregate.'),
  rule('os_compute_api:os-aggregates:add_host', ADMIN, 'Add a host to an aggregate.'),
  rule('os_compute_api:os-aggregates:remove_host', ADMIN, 'Remove a host from an aggregate.'),
  rule('os_compute_api:os-aggregates:set_metadata', ADMIN, "Set an aggregate's metadata."),
  rule('os_compute_api:os-server-groups:create', PROJECT_MEMBER_OR_ADMIN, 'Create a server group.'),
  rule('os_compute_api:os-server-groups:delete', PROJECT_MEMBER_OR_ADMIN, 'Delete a server group.'),
  rule('os_compute_api:os-server-groups:index', PROJECT_READER_OR_ADMIN, 'List server groups.'),
  rule('os_compute_api:os-server-groups:index:all_projects', ADMIN, 'List server groups of all projects.'),
  rule('os_compute_api:os-server-groups:show', PROJECT_READER_OR_ADMIN, 'Show a server group.'),
];
