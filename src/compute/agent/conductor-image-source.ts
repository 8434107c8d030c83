/**
 * Image records for agents in a process of their own, which hold no database credentials: the
 * conductor reads Glance's record under the requester's context, so visibility is the caller's.
 */
import { runWithContext, type RequestContext } from '../../common/context/request-context.js';
import type { ImageRef } from '../../image/images/image.js';
import type { ConductorClient } from '../conductor/conductor-client.js';
import type { ComputeImageSource } from '../workers.js';

export class ConductorImageSource implements ComputeImageSource {
  constructor(private readonly conductor: ConductorClient) {}

  getImageForCompute(context: RequestContext, id: string): Promise<ImageRef> {
    return runWithContext(context, () => this.conductor.imageGet(id));
  }
}
