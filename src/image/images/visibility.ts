import type { RequestContext } from '../../common/context/request-context.js';
import type { ImageMemberRef, ImageRef } from './image.js';
import type { Viewer } from '../db/image-record-store.js';

export function viewerOf(context: RequestContext): Viewer {
  return { ...(context.projectId === undefined ? {} : { projectId: context.projectId }), isAdmin: context.isAdmin === true };
}

/**
 * Glance's `is_image_visible`: administrators see everything; everyone sees public, community
 * and ownerless images; a project sees its own, and shared images it is a member of, whatever
 * the member's status (pending members can look before they accept).
 */
export function isVisible(context: RequestContext, image: ImageRef, membership: ImageMemberRef | undefined): boolean {
  if (context.isAdmin === true || image.owner === null) return true;
  if (image.visibility === 'public' || image.visibility === 'community') return true;
  if (context.projectId === undefined) return false;
  if (image.owner === context.projectId) return true;
  return image.visibility === 'shared' && membership !== undefined;
}
