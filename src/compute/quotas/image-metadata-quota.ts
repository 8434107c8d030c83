import type { RequestContext } from '../../common/context/request-context.js';
import { Forbidden } from '../../common/errors/errors.js';
import type { QuotaManager } from './quota-manager.js';

/** Nova's check_img_metadata_properties_quota: an image's properties count against the caller's metadata_items. */
export async function checkImageMetadataQuota(quotas: QuotaManager, context: RequestContext, metadata: Readonly<Record<string, string>>): Promise<void> {
  const count = Object.keys(metadata).length;
  if (count === 0) return;
  const limit = (await quotas.limits(context.projectId ?? '')).metadata_items;
  if (limit >= 0 && count > limit) throw new Forbidden('Image metadata limit exceeded');
}
