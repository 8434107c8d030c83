import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BadRequest, Conflict, NimbusError } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { DiskFormat } from '../formats/inspector.js';
import type { ImageRecordStore } from '../db/image-record-store.js';
import type { ImageStore, StagedImage } from '../stores/image-store.js';
import { checkImageData, transitionRefused, type FormatChecks } from './image-data.js';
import { isDiskFormat, type ImageRef } from './image.js';
import type { ImageQuotas } from './quotas.js';

const LOG = getLogger('nimbus.image.import');

/**
 * The import methods this cloud offers (Glance's `enabled_import_methods`): glance-direct only.
 * web-download would fetch from the internet, copy-image needs a second store.
 */
export const IMPORT_METHODS = ['glance-direct'] as const;
export type ImportMethod = (typeof IMPORT_METHODS)[number];

export function isImportMethod(name: string): name is ImportMethod {
  return (IMPORT_METHODS as readonly string[]).includes(name);
}

/** What POST /v2/images/{id}/import asks for, validated. */
export interface ImportRequest {
  readonly method: ImportMethod;
  /** Glance's `all_stores_must_succeed`: false only means something with several stores. */
  readonly allStoresMustSucceed: boolean;
}

/** The properties Glance's import flow keeps on the image: its lock, and the stores still to do and failed (none with a single store). */
const IMPORT_TASK = 'os_glance_import_task';
const IMPORTING_TO_STORES = 'os_glance_importing_to_stores';
const FAILED_IMPORT = 'os_glance_failed_import';

/**
 * Glance's interoperable image import, glance-direct: data is staged (queued → uploading, kept in
 * the staging store and inspected as an upload is), then imported (uploading → importing → active)
 * in the background, the API having answered 202. A refused stage puts the image back to queued
 * with nothing staged; a failed import puts it back to queued with its staged data removed, so it
 * can be staged again.
 */
export class ImageImport {
  readonly #running = new Set<Promise<void>>();

  constructor(
    private readonly records: ImageRecordStore,
    private readonly store: ImageStore,
    private readonly staging: ImageStore,
    private readonly formats: FormatChecks,
    private readonly quotas: ImageQuotas,
  ) {}

  async stage(image: ImageRef, data: Readable): Promise<void> {
    const { id } = image;
    if (image.status !== 'queued') throw transitionRefused(image.status, 'uploading');
    const allowance = await this.quotas.uploadAllowance(image.owner);
    if (!(await this.records.compareAndSetStatus(id, 'queued', 'uploading'))) {
      throw transitionRefused((await this.records.find(id))?.status ?? 'deleted', 'uploading');
    }
    let staged: StagedImage | undefined;
    let committed = false;
    try {
      staged = await this.staging.stage(id, data, { maxBytes: allowance.maxBytes });
      // No disk_format yet is no refusal here: import asks for one before it starts.
      if (isDiskFormat(image.disk_format)) await checkImageData(this.formats, id, image.disk_format, staged.path);
      await staged.commit();
      committed = true;
      if (!(await this.records.update(id, { columns: { size: staged.size } }))) throw new Conflict(`Image ${id} was deleted while its data was staged.`);
      LOG.info(`Staged ${staged.size} bytes for image ${id}`);
    } catch (error) {
      await this.#unstage(id, committed ? undefined : staged, 'uploading', error);
      throw this.quotas.explainOverrun(allowance, image.owner, error);
    }
  }

  /** Checks the image may be imported, marks it importing and starts the import; returns before it ends. */
  async start(image: ImageRef, request: ImportRequest): Promise<void> {
    const { id } = image;
    if (image.status === 'active') throw new Conflict('Image with status active cannot be target for import');
    if (image.status !== 'uploading') throw new Conflict("Image needs to be staged before 'glance-direct' method can be used");
    const diskFormat = image.disk_format;
    if (image.container_format === null) throw new Conflict("'container_format' needs to be set before import");
    if (!isDiskFormat(diskFormat)) throw new Conflict("'disk_format' needs to be set before import");
    if (!request.allStoresMustSucceed) throw new BadRequest('All_stores_must_succeed can only be set with enabled_backends None');
    if (!(await this.records.compareAndSetStatus(id, 'uploading', 'importing'))) {
      throw new Conflict(`New operation on image '${id}' is not permitted as prior operation is still in progress`);
    }
    const taskId = randomUUID();
    await this.records.update(id, { setProperties: { [IMPORT_TASK]: taskId, [IMPORTING_TO_STORES]: '', [FAILED_IMPORT]: '' } });
    LOG.info(`Import task ${taskId} (${request.method}) of image ${id} started`);
    const running = this.#import(id, diskFormat, taskId).finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  /** Resolves when every import started so far has ended (tests, and a stopping node). */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  /** Staged data → store (inspected again, hashed as it goes) → active. Never rejects: a failure is logged and rolled back. */
  async #import(id: string, diskFormat: DiskFormat, taskId: string): Promise<void> {
    let imported: StagedImage | undefined;
    let committed = false;
    try {
      imported = await this.store.stage(id, await this.staging.open(id), { maxBytes: this.quotas.sizeCap });
      const inspection = await checkImageData(this.formats, id, diskFormat, imported.path);
      await imported.commit();
      committed = true;
      const activated = await this.records.compareAndSetStatus(id, 'importing', 'active', {
        size: imported.size,
        virtual_size: inspection.virtualSize,
        checksum: imported.md5,
        os_hash_algo: 'sha512',
        os_hash_value: imported.sha512,
      });
      if (!activated) throw new Conflict(`Image ${id} was deleted while it was imported.`);
      await this.records.update(id, { removeProperties: [IMPORT_TASK] });
      await this.#removeStaged(id);
      LOG.info(`Import task ${taskId}: image ${id} is active, ${imported.size} bytes of ${inspection.format}`);
    } catch (error) {
      try {
        await (committed ? this.store.delete(id) : imported?.abort());
      } catch (cleanup) {
        LOG.error(`Could not remove the data of the failed import of image ${id}`, { error: cleanup });
      }
      await this.#unstage(id, undefined, 'importing', error);
      await this.records.update(id, { removeProperties: [IMPORT_TASK] }).catch((cleanup: unknown) => {
        LOG.error(`Could not release the import lock of image ${id}`, { error: cleanup });
      });
    }
  }

  /** Staged data removed, image back to queued; why, at the level the cause deserves. */
  async #unstage(id: string, staged: StagedImage | undefined, from: 'uploading' | 'importing', cause: unknown): Promise<void> {
    const why = cause instanceof Error ? cause.message : String(cause);
    if (cause instanceof NimbusError && cause.status < 500) LOG.info(`Image ${id} ${from === 'uploading' ? 'stage refused' : 'import failed'}: ${why}`);
    else LOG.warning(`Image ${id} ${from === 'uploading' ? 'stage' : 'import'} failed, image set back to queued: ${why}`);
    try {
      await (staged === undefined ? this.staging.delete(id) : staged.abort());
    } catch (error) {
      LOG.error(`Could not remove the staged data of image ${id}`, { error });
    }
    try {
      await this.records.compareAndSetStatus(id, from, 'queued');
    } catch (error) {
      LOG.error(`Could not set image ${id} back to queued`, { error });
    }
  }

  async #removeStaged(id: string): Promise<void> {
    try {
      await this.staging.delete(id);
    } catch (error) {
      LOG.warning(`Image ${id} is imported but its staged data could not be removed`, { error });
    }
  }
}
