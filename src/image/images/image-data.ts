import type { Readable } from 'node:stream';
import { BadRequest, Conflict, NimbusError } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { DiskFormat, ImageInspector, InspectionResult } from '../formats/inspector.js';
import type { ImageBackend } from '../stores/backends.js';
import { StorageFull } from '../stores/errors.js';
import type { StagedImage } from '../stores/image-store.js';
import type { ImageRecordStore } from '../db/image-record-store.js';
import { isDiskFormat, type ImageRef } from './image.js';
import type { ImageQuotas } from './quotas.js';

const LOG = getLogger('nimbus.image.data');

/** How uploaded data is checked before it becomes an image (formats/inspect-image.ts provides both). */
export interface FormatChecks {
  readonly inspect: ImageInspector;
  /** True when data detected as `detected` may be stored as `declared` (raw takes what has no header …). */
  readonly formatMatches: (declared: DiskFormat, detected: DiskFormat) => boolean;
  /** `[image] require_image_format_match`: refuse data whose format is not the declared one. */
  readonly requireFormatMatch: boolean;
}

/** Inspects data of image `id` in a local file: unsafe data, or (when required) data not in `diskFormat`, is a 400. */
export async function checkImageData(formats: FormatChecks, id: string, diskFormat: DiskFormat, path: string): Promise<InspectionResult> {
  const inspection = await formats.inspect(path);
  if (inspection.safetyProblems.length > 0) {
    throw new BadRequest(`Image data of ${id} is unsafe and was refused: ${inspection.safetyProblems.join('; ')}`);
  }
  if (formats.requireFormatMatch && !formats.formatMatches(diskFormat, inspection.format)) {
    throw new BadRequest(`Image data of ${id} is in ${inspection.format} format, not the declared disk_format ${diskFormat}.`);
  }
  return inspection;
}

function emptyData(format: DiskFormat): InspectionResult {
  return { format, virtualSize: 0, safetyProblems: [] };
}

/** Glance's 410 when the image went away while its data streamed in. */
class Gone extends NimbusError {
  constructor(message: string) {
    super(410, message);
  }
}

/**
 * Image uploads: queued → saving (a compare-and-set, so of two concurrent uploads one gets 409)
 * → staged through the store with the size cap and quota as limit → inspected → committed →
 * active with size and hashes. Any failure removes the staged data and puts the image back to
 * queued, so an interrupted or refused upload leaves neither a half image nor an orphan file.
 */
export class ImageData {
  constructor(
    private readonly records: ImageRecordStore,
    private readonly formats: FormatChecks,
    private readonly quotas: ImageQuotas,
  ) {}

  /** Streams `data` into `backend` (the store the request named, or the default). */
  async upload(image: ImageRef, data: Readable, backend: ImageBackend): Promise<void> {
    const { id } = image;
    if (image.status !== 'queued') throw transitionRefused(image.status);
    const diskFormat = image.disk_format;
    if (!isDiskFormat(diskFormat) || image.container_format === null) {
      throw new BadRequest('Properties disk_format, container_format must be set prior to saving data.');
    }
    const allowance = await this.quotas.uploadAllowance(image.owner);
    if (!(await this.records.compareAndSetStatus(id, 'queued', 'saving'))) {
      throw transitionRefused((await this.records.find(id))?.status ?? 'deleted');
    }
    LOG.info(`Uploading data of image ${id} (at most ${allowance.maxBytes} bytes)`);
    let staged: StagedImage | undefined;
    let committed = false;
    try {
      staged = await backend.store.stage(id, data, { maxBytes: allowance.maxBytes });
      // No bytes have no format to check: Nova activates a volume-backed server's snapshot image so.
      const inspection = staged.size === 0 ? emptyData(diskFormat) : await checkImageData(this.formats, id, diskFormat, staged.path);
      await staged.commit();
      committed = true;
      await this.records.addLocation(id, backend.id);
      const activated = await this.records.compareAndSetStatus(id, 'saving', 'active', {
        size: staged.size,
        virtual_size: inspection.virtualSize,
        checksum: staged.md5,
        os_hash_algo: 'sha512',
        os_hash_value: staged.sha512,
      });
      if (!activated) {
        throw new Gone(`Image ${id} could not be found after upload. The image may have been deleted during the upload.`);
      }
      LOG.info(`Image ${id} is active: ${staged.size} bytes of ${inspection.format}, virtual size ${inspection.virtualSize}${backend.id === '' ? '' : ` in store ${backend.id}`}`);
    } catch (error) {
      await this.#rollBack(id, backend, committed ? undefined : staged, error);
      throw this.quotas.explainOverrun(allowance, image.owner, error);
    }
  }

  /** Staged (or already committed) data removed, image back to queued; why, at the level the cause deserves. */
  async #rollBack(id: string, backend: ImageBackend, staged: StagedImage | undefined, cause: unknown): Promise<void> {
    const why = cause instanceof Error ? cause.message : String(cause);
    // A full store is the operator's to fix (Glance logs it as an error); other 4xx are the client's.
    if (cause instanceof StorageFull) LOG.error(`Upload to image ${id} failed, image set back to queued: ${why}`);
    else if (cause instanceof NimbusError && cause.status < 500) LOG.info(`Upload to image ${id} refused: ${why}`);
    else LOG.warning(`Upload to image ${id} failed, image set back to queued: ${why}`);
    try {
      await (staged === undefined ? backend.store.delete(id) : staged.abort());
      await this.records.removeLocation(id, backend.id);
    } catch (error) {
      LOG.error(`Could not remove the staged data of image ${id}`, { error });
    }
    try {
      await this.records.compareAndSetStatus(id, 'saving', 'queued');
    } catch (error) {
      LOG.error(`Could not set image ${id} back to queued`, { error });
    }
  }
}

export function transitionRefused(status: string, to = 'saving'): Conflict {
  return new Conflict(`Image status transition from ${status} to ${to} is not allowed`);
}
