/**
 * Image records for agents in a process of their own, which hold no database credentials: the
 * conductor reads Glance's record under the requester's context, so visibility is the caller's.
 * Image data (a real guest's disk) and image writes (snapshot, shelve) need the image API over HTTP
 * with a service token, which a separate agent process does not have yet: those calls fail with a
 * fault that says so, and `nimbus compute-agent` runs the fake driver.
 */
import type { Readable } from 'node:stream';
import { runWithContext, type RequestContext } from '../../common/context/request-context.js';
import { NotImplemented } from '../../common/errors/errors.js';
import type { ImageRef } from '../../image/images/image.js';
import type { ConductorClient } from '../conductor/conductor-client.js';
import type { ComputeImageSource } from '../workers.js';

const NO_IMAGE_DATA = 'This compute agent runs in a process of its own and cannot read image data yet: real guests need the agent in the API node (nimbus up)';
const NO_IMAGE_WRITES = 'This compute agent runs in a process of its own and cannot write images yet: snapshots and shelving need the agent in the API node (nimbus up)';

export class ConductorImageSource implements ComputeImageSource {
  constructor(private readonly conductor: ConductorClient) {}

  getImageForCompute(context: RequestContext, id: string): Promise<ImageRef> {
    return runWithContext(context, () => this.conductor.imageGet(id));
  }

  /** Real guests' disks come from the image API over HTTP, which a separate agent process cannot reach yet. */
  openImageData(): Promise<Readable> {
    return Promise.reject(new NotImplemented(NO_IMAGE_DATA));
  }

  update(): Promise<ImageRef> {
    return Promise.reject(new NotImplemented(NO_IMAGE_WRITES));
  }

  uploadImageData(_context: RequestContext, _id: string, data: Readable): Promise<ImageRef> {
    data.destroy();
    return Promise.reject(new NotImplemented(NO_IMAGE_WRITES));
  }

  delete(): Promise<void> {
    return Promise.reject(new NotImplemented(NO_IMAGE_WRITES));
  }
}
