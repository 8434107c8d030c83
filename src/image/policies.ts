import { rule, type RuleDefault } from '../common/policy/policy.js';

/**
 * Glance's policy defaults (Zed, secure RBAC), under Glance's rule names. Targets are built as
 * Glance builds them: `project_id` and `owner` are the image's owner, `visibility` its
 * visibility, `member_id` the image member concerned (the caller's project when it is one).
 * Visibility itself (private images of others are 404) is the service's, not policy's.
 */
const PROJECT_MEMBER = 'role:member and project_id:%(project_id)s';
const PROJECT_READER = 'role:reader and project_id:%(project_id)s';
const OTHERS_MAY_SEE = "project_id:%(member_id)s or 'community':%(visibility)s or 'public':%(visibility)s or 'shared':%(visibility)s";
const ADMIN_OR_PROJECT_MEMBER = `role:admin or (${PROJECT_MEMBER})`;
const ADMIN_OR_PROJECT_READER = `role:admin or (${PROJECT_READER})`;

/** Glance's metadef reads: an administrator, or a reader of the owning project or of anyone for a public namespace. */
const ADMIN_OR_PROJECT_READER_GET_NAMESPACE = "role:admin or (role:reader and (project_id:%(project_id)s or 'public':%(visibility)s))";
const METADEF_ADMIN = 'rule:metadef_admin';

export const IMAGE_POLICIES: readonly RuleDefault[] = [
  rule('add_image', `role:admin or (${PROJECT_MEMBER} and project_id:%(owner)s)`, 'Create an image (owned by the caller\'s project).'),
  rule('get_image', `role:admin or (role:reader and (project_id:%(project_id)s or ${OTHERS_MAY_SEE}))`, 'Show an image.'),
  rule('get_images', ADMIN_OR_PROJECT_READER, 'List images.'),
  rule('modify_image', ADMIN_OR_PROJECT_MEMBER, 'Update an image.'),
  rule('publicize_image', 'role:admin', 'Make an image public.'),
  rule('communitize_image', ADMIN_OR_PROJECT_MEMBER, 'Make an image a community image.'),
  rule('delete_image', ADMIN_OR_PROJECT_MEMBER, 'Delete an image.'),
  rule('upload_image', ADMIN_OR_PROJECT_MEMBER, 'Upload data to an image.'),
  rule('download_image', `role:admin or (role:member and (project_id:%(project_id)s or ${OTHERS_MAY_SEE}))`, 'Download image data.'),
  rule('deactivate', ADMIN_OR_PROJECT_MEMBER, 'Deactivate an image.'),
  rule('reactivate', ADMIN_OR_PROJECT_MEMBER, 'Reactivate an image.'),
  rule('add_member', ADMIN_OR_PROJECT_MEMBER, 'Share an image with a project.'),
  rule('delete_member', ADMIN_OR_PROJECT_MEMBER, 'Stop sharing an image with a project.'),
  rule('get_member', `role:admin or (role:reader and (project_id:%(project_id)s or project_id:%(member_id)s))`, 'Show an image member.'),
  rule('get_members', `role:admin or (role:reader and (project_id:%(project_id)s or project_id:%(member_id)s))`, "List an image's members."),
  rule('modify_member', 'role:admin or (role:member and project_id:%(member_id)s)', 'Accept or reject a shared image.'),
  rule('get_image_location', ADMIN_OR_PROJECT_READER, 'Show the locations (stores) of an image.'),
  rule('delete_image_location', 'role:admin', "Remove an image's data from one of its stores."),
  rule('copy_image', 'role:admin', "Copy an image's data into more stores (the copy-image import)."),
  rule('stores_info_detail', 'role:admin', 'Show the stores with their types and properties.'),
  // Metadata definitions (glance/policies/metadef.py): reads as namespaces are visible, writes the administrator's.
  rule('metadef_default', '', 'Default rule of metadata definitions.'),
  rule('metadef_admin', 'role:admin', 'Administrator of metadata definitions.'),
  rule('get_metadef_namespace', ADMIN_OR_PROJECT_READER_GET_NAMESPACE, 'Get a specific namespace.'),
  rule('get_metadef_namespaces', ADMIN_OR_PROJECT_READER, 'List namespace.'),
  rule('modify_metadef_namespace', METADEF_ADMIN, 'Modify an existing namespace.'),
  rule('add_metadef_namespace', METADEF_ADMIN, 'Create a namespace.'),
  rule('delete_metadef_namespace', METADEF_ADMIN, 'Delete a namespace.'),
  rule('get_metadef_object', ADMIN_OR_PROJECT_READER_GET_NAMESPACE, 'Get a specific object from a namespace.'),
  rule('get_metadef_objects', ADMIN_OR_PROJECT_READER_GET_NAMESPACE, 'Get objects from a namespace.'),
  rule('modify_metadef_object', METADEF_ADMIN, 'Update an object within a namespace.'),
  rule('add_metadef_object', METADEF_ADMIN, 'Create an object within a namespace.'),
  rule('delete_metadef_object', METADEF_ADMIN, 'Delete an object within a namespace.'),
  rule('list_metadef_resource_types', ADMIN_OR_PROJECT_READER_GET_NAMESPACE, 'List meta definition resource types.'),
  rule('get_metadef_resource_type', ADMIN_OR_PROJECT_READER_GET_NAMESPACE, 'Get meta definition resource types associations.'),
  rule('add_metadef_resource_type_association', METADEF_ADMIN, 'Create meta definition resource types association.'),
  rule('remove_metadef_resource_type_association', METADEF_ADMIN, 'Delete meta definition resource types association.'),
  rule('get_metadef_property', ADMIN_OR_PROJECT_READER_GET_NAMESPACE, 'Get a specific meta definition property.'),
  rule('get_metadef_properties', ADMIN_OR_PROJECT_READER_GET_NAMESPACE, 'List meta definition properties.'),
  rule('modify_metadef_property', METADEF_ADMIN, 'Update meta definition property.'),
  rule('add_metadef_property', METADEF_ADMIN, 'Create meta definition property.'),
  rule('remove_metadef_property', METADEF_ADMIN, 'Delete meta definition property.'),
  rule('get_metadef_tag', ADMIN_OR_PROJECT_READER_GET_NAMESPACE, 'Get tag definition.'),
  rule('get_metadef_tags', ADMIN_OR_PROJECT_READER_GET_NAMESPACE, 'List tag definitions.'),
  rule('modify_metadef_tag', METADEF_ADMIN, 'Update tag definition.'),
  rule('add_metadef_tag', METADEF_ADMIN, 'Add tag definition.'),
  rule('add_metadef_tags', METADEF_ADMIN, 'Create tag definitions.'),
  rule('delete_metadef_tag', METADEF_ADMIN, 'Delete tag definition.'),
  rule('delete_metadef_tags', METADEF_ADMIN, 'Delete tag definitions.'),
];
