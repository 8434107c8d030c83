import type { RequestContext } from '../../common/context/request-context.js';
import type { Database } from '../../common/db/database.js';
import { Conflict, Forbidden, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ImageRecordStore } from '../db/image-record-store.js';
import type { ImageMemberRef, ImageRef, MemberStatus } from './image.js';

const LOG = getLogger('nimbus.image.members');

/**
 * Sharing an image of visibility `shared` with other projects (Glance's image members). The
 * owner adds and removes members; a member accepts or rejects, and an accepted image shows in
 * the member's default listing.
 */
export class ImageMembers {
  constructor(
    private readonly records: ImageRecordStore,
    private readonly database: Database,
    private readonly getImage: (context: RequestContext, id: string) => Promise<ImageRef>,
  ) {}

  /** The image, visible to the caller and shared (others have no members). */
  async sharedImage(context: RequestContext, imageId: string): Promise<ImageRef> {
    const image = await this.getImage(context, imageId);
    if (image.visibility !== 'shared') throw new Forbidden('Only shared images have members.');
    return image;
  }

  async add(context: RequestContext, imageId: string, memberId: string): Promise<ImageMemberRef> {
    await this.sharedImage(context, imageId);
    try {
      await this.records.insertMember(imageId, memberId);
    } catch (error) {
      if (!this.database.isUniqueViolation(error)) throw error;
      throw new Conflict(`Member ${memberId} is duplicated for image ${imageId}`);
    }
    LOG.info(`Image ${imageId} shared with project ${memberId}`);
    return this.get(context, imageId, memberId);
  }

  /** The image's members; a member project sees only its own membership, as Glance shows it. */
  async list(context: RequestContext, imageId: string): Promise<ImageMemberRef[]> {
    const image = await this.sharedImage(context, imageId);
    const members = await this.records.listMembers(imageId);
    if (context.isAdmin === true || image.owner === context.projectId) return members;
    return members.filter((member) => member.member_id === context.projectId);
  }

  async get(context: RequestContext, imageId: string, memberId: string): Promise<ImageMemberRef> {
    const image = await this.sharedImage(context, imageId);
    const member = await this.records.findMember(imageId, memberId);
    const mayLook = context.isAdmin === true || image.owner === context.projectId || memberId === context.projectId;
    if (member === undefined || !mayLook) throw new NotFound(`${memberId} not found in the member list of the image ${imageId}.`);
    return member;
  }

  async setStatus(context: RequestContext, imageId: string, memberId: string, status: MemberStatus): Promise<ImageMemberRef> {
    await this.get(context, imageId, memberId);
    await this.records.updateMember(imageId, memberId, status);
    LOG.info(`Project ${memberId} ${status === 'pending' ? 'reset' : status} image ${imageId}`);
    return this.get(context, imageId, memberId);
  }

  async remove(context: RequestContext, imageId: string, memberId: string): Promise<void> {
    await this.get(context, imageId, memberId);
    await this.records.deleteMember(imageId, memberId);
    LOG.info(`Image ${imageId} no longer shared with project ${memberId}`);
  }
}
