import type { RuleDefault } from '../common/policy/policy.js';

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

function rule(name: string, checkStr: string, description: string): RuleDefault {
  return { name, checkStr, description };
}

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
];
