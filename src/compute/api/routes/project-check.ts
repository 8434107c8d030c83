import { BadRequest } from '../../../common/errors/errors.js';

/**
 * Whether identity knows a project. Nova asks Keystone (`GET /v3/projects/{id}`); every Nimbus
 * node holds identity's managers over the shared database, so the composition root answers
 * in-process.
 */
export type ProjectExists = (projectId: string) => Promise<boolean>;

/** Nova's identity.verify_project_id: a project identity does not know is a 400. */
export async function verifyProjectId(projectExists: ProjectExists, projectId: string): Promise<void> {
  if (!(await projectExists(projectId))) throw new BadRequest(`Project ID ${projectId} is not a valid project.`);
}
