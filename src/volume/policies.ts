import type { RuleDefault } from '../common/policy/policy.js';

/**
 * Cinder Zed's policy defaults (cinder/policies/*.py) under Cinder's rule names. Zed's effective
 * check strings are the Xena ones: `admin_api` is the admin role, "system admin or project
 * member/reader" is the admin role or the role on the target's project. They are written out
 * rather than named, since Nova defines an `admin_api` rule of its own in the shared enforcer.
 * Targets carry the volume's (or snapshot's) `project_id`; a create's is the caller's project.
 */
const ADMIN_API = 'role:admin';
const READER = 'role:admin or (role:reader and project_id:%(project_id)s)';
const MEMBER = 'role:admin or (role:member and project_id:%(project_id)s)';

function rule(name: string, checkStr: string, description: string): RuleDefault {
  return { name, checkStr, description };
}

export const VOLUME_POLICIES: readonly RuleDefault[] = [
  rule('volume:create', MEMBER, 'Create volume.'),
  rule('volume:create_from_image', MEMBER, 'Create volume from image.'),
  rule('volume:get', READER, 'Show volume.'),
  rule('volume:get_all', READER, 'List volumes or get summary of volumes.'),
  rule('volume:update', MEMBER, 'Update volume or update a volume\'s bootable status.'),
  rule('volume:delete', MEMBER, 'Delete volume.'),
  rule('volume:force_delete', ADMIN_API, 'Force Delete a volume.'),
  rule('volume_extension:volume_host_attribute', ADMIN_API, 'List or show volume with host attribute.'),
  rule('volume_extension:volume_tenant_attribute', READER, 'List or show volume with tenant attribute.'),
  rule('volume_extension:volume_mig_status_attribute', ADMIN_API, 'List or show volume with migration status attribute.'),
  rule('volume:multiattach', MEMBER, 'Create multiattach capable volume.'),
  rule('volume:extend', MEMBER, 'Extend a volume.'),
  rule('volume:extend_attached_volume', MEMBER, 'Extend a attached volume.'),
  rule('volume_extension:volume_admin_actions:reset_status', ADMIN_API, "Reset status of a volume."),
  rule('volume_extension:volume_admin_actions:force_delete', ADMIN_API, 'Force delete a volume.'),
  rule('volume:get_volume_metadata', READER, "Show volume's metadata or one specified metadata with a given key."),
  rule('volume:create_volume_metadata', MEMBER, 'Create volume metadata.'),
  rule('volume:update_volume_metadata', MEMBER, "Replace a volume's metadata dictionary or update a single metadatum with a given key."),
  rule('volume:delete_volume_metadata', MEMBER, "Delete a volume's metadatum with the given key."),
  rule('volume_extension:volume_image_metadata:show', READER, 'Include volume_image_metadata in volume or snapshot responses.'),
  rule('volume_extension:volume_image_metadata:set', MEMBER, 'Set image metadata for a volume'),
  rule('volume_extension:volume_image_metadata:remove', MEMBER, 'Remove specific image metadata from a volume'),
  rule('volume:retype', MEMBER, 'Retype a volume.'),
  rule('volume:update_readonly_flag', MEMBER, 'Update volume read-only status.'),
  rule('volume_extension:volume_admin_actions:force_detach', ADMIN_API, 'Force detach a volume.'),
  rule('volume:get_snapshot', READER, 'Show snapshot.'),
  rule('volume:get_all_snapshots', READER, 'List snapshots.'),
  rule('volume:create_snapshot', MEMBER, 'Create snapshot.'),
  rule('volume:update_snapshot', MEMBER, 'Update snapshot.'),
  rule('volume:delete_snapshot', MEMBER, 'Delete snapshot.'),
  rule('volume_extension:extended_snapshot_attributes', READER, 'List or show snapshots with extended attributes.'),
  rule('volume_extension:snapshot_admin_actions:reset_status', ADMIN_API, 'Reset status of a snapshot.'),
  rule('volume_extension:snapshot_admin_actions:force_delete', ADMIN_API, 'Force delete a snapshot.'),
  rule('snapshot_extension:snapshot_actions:update_snapshot_status', MEMBER, 'Update database fields of snapshot.'),
  rule('volume:get_snapshot_metadata', READER, "Show snapshot's metadata or one specified metadata with a given key."),
  rule('volume:update_snapshot_metadata', MEMBER, "Update snapshot's metadata or one specified metadata with a given key."),
  rule('volume:delete_snapshot_metadata', MEMBER, "Delete snapshot's specified metadata with a given key."),
  rule('volume_extension:type_create', ADMIN_API, 'Create volume type.'),
  rule('volume_extension:type_update', ADMIN_API, 'Update volume type.'),
  rule('volume_extension:type_delete', ADMIN_API, 'Delete volume type.'),
  rule('volume_extension:type_get', READER, 'Get one specific volume type.'),
  rule('volume_extension:type_get_all', READER, 'List volume types.'),
  rule('volume_extension:access_types_extra_specs', READER, 'Include the volume type\'s extra_specs attribute in the volume type list or show requests.'),
  rule('volume_extension:access_types_qos_specs_id', ADMIN_API, 'Include the volume type\'s QoS specifications ID attribute in the volume type list or show requests.'),
  rule('volume_extension:volume_type_access:get_all_for_type', ADMIN_API, 'List private volume type access detail, that is, list the projects that have access to this volume type.'),
  rule('volume_extension:types_extra_specs:index', READER, 'List type extra specs.'),
  rule('volume_extension:types_extra_specs:create', ADMIN_API, 'Create type extra specs.'),
  rule('volume_extension:types_extra_specs:show', READER, 'Show one specified type extra specs.'),
  rule('volume_extension:types_extra_specs:update', ADMIN_API, 'Update type extra specs.'),
  rule('volume_extension:types_extra_specs:delete', ADMIN_API, 'Delete type extra specs.'),
  rule('volume_extension:quotas:show', READER, 'Show project quota (including usage and default).'),
  rule('volume_extension:quotas:update', ADMIN_API, 'Update project quota.'),
  rule('volume_extension:quotas:delete', ADMIN_API, 'Delete project quota.'),
  rule('limits_extension:used_limits', READER, 'Show limits with used limit attributes.'),
  rule('volume:attachment_create', MEMBER, 'Create attachment.'),
  rule('volume:attachment_update', MEMBER, 'Update attachment.'),
  rule('volume:attachment_delete', MEMBER, 'Delete attachment.'),
  rule('volume:attachment_complete', MEMBER, 'Mark a volume attachment process as completed (in-use)'),
  rule('volume:multiattach_bootable_volume', MEMBER, 'Allow multiattach of bootable volumes.'),
  rule('volume_extension:volume_actions:initialize_connection', MEMBER, 'Initialize volume attachment.'),
  rule('volume_extension:volume_actions:terminate_connection', MEMBER, 'Terminate volume attachment.'),
  rule('volume_extension:volume_actions:roll_detaching', MEMBER, 'Roll back volume status to \'in-use\'.'),
  rule('volume_extension:volume_actions:reserve', MEMBER, 'Mark volume as reserved.'),
  rule('volume_extension:volume_actions:unreserve', MEMBER, 'Unmark volume as reserved.'),
  rule('volume_extension:volume_actions:begin_detaching', MEMBER, 'Begin detach volumes.'),
  rule('volume_extension:volume_actions:attach', MEMBER, 'Add attachment metadata.'),
  rule('volume_extension:volume_actions:detach', MEMBER, 'Clear attachment metadata.'),
  rule('volume_extension:services:index', ADMIN_API, 'List all services.'),
  rule('backup:get_all', READER, 'List backups or show backup summary.'),
  rule('backup:create', MEMBER, 'Create backup.'),
  rule('backup:get', READER, 'Show backup.'),
  rule('backup:delete', MEMBER, 'Delete backup.'),
  rule('backup:restore', MEMBER, 'Restore backup.'),
  rule('backup:backup-import', ADMIN_API, 'Import backup.'),
  rule('backup:backup-export', ADMIN_API, 'Export backup.'),
  rule('volume:get_all_transfers', READER, 'List volume transfer.'),
  rule('volume:create_transfer', MEMBER, 'Create a volume transfer.'),
  rule('volume:get_transfer', READER, 'Show one specified volume transfer.'),
  rule('volume:accept_transfer', MEMBER, 'Accept a volume transfer.'),
  rule('volume:delete_transfer', MEMBER, 'Delete volume transfer.'),
];
