import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BadRequest, Conflict, NimbusError } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { DiskFormat, InspectionResult } from '../formats/inspector.js';
import type { ImageRecordStore } from '../db/image-record-store.js';
import { UnknownStore, type ImageBackend, type ImageBackends } from '../stores/backends.js';
import type { ImageStore, StagedImage } from '../stores/image-store.js';
import { checkImageData, transitionRefused, type FormatChecks } from './image-data.js';
import { isDiskFormat, type ImageRef } from './image.js';
import type { ImageQuotas } from './quotas.js';

const LOG = getLogger('nimbus.image.import');

/**
 * The import methods this cloud offers (Glance's `enabled_import_methods`): glance-direct, and
 * copy-image when it has several stores to copy between. web-download would fetch from the internet.
 */
export const IMPORT_METHODS = ['glance-direct', 'copy-image'] as const;
export type ImportMethod = (typeof IMPORT_METHODS)[number];

/** The methods offered by a cloud with (or without) several stores. */
export function importMethodsOf(backends: ImageBackends): readonly ImportMethod[] {
  return backends.multiple ? IMPORT_METHODS : ['glance-direct'];
}

/** What POST /v2/images/{id}/import asks for, validated. */
export interface ImportRequest {
  readonly method: ImportMethod;
  /** The body's `stores`, when it names them. */
  readonly stores?: readonly string[];
  /** The body's `all_stores`: every store of the cloud. */
  readonly allStores: boolean;
  /** The request's X-Image-Meta-Store header, when sent. */
  readonly storeHeader?: string;
  /** Glance's `all_stores_must_succeed`: false lets the import go on past a store that failed. */
  readonly allStoresMustSucceed: boolean;
}

/** The properties Glance's import flow keeps on the image: its lock, and the stores still to do and failed. */
const IMPORT_TASK = 'os_glance_import_task';
const IMPORTING_TO_STORES = 'os_glance_importing_to_stores';
const FAILED_IMPORT = 'os_glance_failed_import';

/** An import lock no progress has touched for this long belongs to an import that died with its process (Glance's 60 minutes). */
export const IMPORT_LOCK_EXPIRY_MS = 3600_000;

/** One import, decided by start(): where the data comes from and which stores it goes to. */
interface ImportPlan {
  readonly id: string;
  readonly taskId: string;
  readonly method: ImportMethod;
  readonly diskFormat: DiskFormat;
  readonly targets: readonly ImageBackend[];
  readonly mustSucceed: boolean;
  /** glance-direct: the staging area; copy-image: a store already holding the data. */
  readonly source: ImageStore;
  /** copy-image: the sha512 the copies must have. */
  readonly expectedHash?: string;
}

/** A comma list property (Glance's importing/failed stores) as a list, and back. */
function storeList(value: string | undefined): string[] {
  return (value ?? '').split(',').filter((id) => id !== '');
}

/**
 * Glance's interoperable image import. glance-direct: data is staged (queued → uploading, kept in
 * the staging store and inspected as an upload is), then imported (uploading → importing → active)
 * into each requested store in the background, the API having answered 202. copy-image: an active
 * image's data is copied into more stores, the image staying active. Progress shows in
 * `os_glance_importing_to_stores` and `os_glance_failed_import`; `os_glance_import_task` is the
 * lock that keeps two imports of one image apart.
 */
export class ImageImport {
  readonly #running = new Set<Promise<void>>();
  /** The ids of the import tasks running in this process. */
  readonly #tasks = new Set<string>();

  constructor(
    private readonly records: ImageRecordStore,
    private readonly backends: ImageBackends,
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

  /**
   * Checks the image may be imported as asked (in Glance's order and words), takes the import
   * lock and starts the import; returns before it ends. `authorize` is the method's policy check
   * (copy_image or modify_image), run where Glance runs it.
   */
  async start(image: ImageRef, request: ImportRequest, authorize: (method: ImportMethod) => void): Promise<void> {
    const { id } = image;
    const copying = request.method === 'copy-image';
    if (image.status === 'active' && !copying) throw new Conflict('Image with status active cannot be target for import');
    if (image.status !== 'active' && copying) throw new Conflict('Only images with status active can be targeted for copying');
    if (image.status !== 'uploading' && request.method === 'glance-direct') throw new Conflict("Image needs to be staged before 'glance-direct' method can be used");
    const diskFormat = image.disk_format;
    if (image.container_format === null) throw new Conflict("'container_format' needs to be set before import");
    if (!isDiskFormat(diskFormat)) throw new Conflict("'disk_format' needs to be set before import");
    authorize(request.method);
    const held = image.properties[IMPORT_TASK];
    if (held !== undefined) await this.#bustStaleLock(image, held);
    let targets = this.#targets(request);
    if (copying && request.allStores) {
      targets = targets.filter((backend) => !image.stores.includes(backend.id));
      if (targets.length === 0) {
        LOG.info(`Image ${id} is in every store already: nothing to copy`);
        return;
      }
    } else if (copying) {
      const present = targets.find((backend) => image.stores.includes(backend.id));
      if (present !== undefined) throw new BadRequest(`Image is already present at store '${present.id}'`);
    }
    if (!request.allStoresMustSucceed && !this.backends.multiple) throw new BadRequest('All_stores_must_succeed can only be set with enabled_backends None');

    const taskId = randomUUID();
    if (!(await this.#lock(image, taskId))) {
      throw new Conflict(`New operation on image '${id}' is not permitted as prior operation is still in progress`);
    }
    const named = targets.map((backend) => backend.id).filter((store) => store !== '');
    const stillFailed = storeList(image.properties[FAILED_IMPORT]).filter((store) => !named.includes(store));
    await this.records.update(id, { setProperties: { [IMPORTING_TO_STORES]: named.join(','), [FAILED_IMPORT]: stillFailed.join(',') } });
    LOG.info(`Import task ${taskId} (${request.method}) of image ${id} to ${named.length === 0 ? 'the store' : `stores ${named.join(', ')}`} started`);
    const plan: ImportPlan = {
      id,
      taskId,
      method: request.method,
      diskFormat,
      targets,
      mustSucceed: request.allStoresMustSucceed,
      source: copying ? this.backends.holding(image.stores).store : this.staging,
      ...(copying && image.os_hash_value !== null ? { expectedHash: image.os_hash_value } : {}),
    };
    this.#tasks.add(taskId);
    const running = this.#import(plan).finally(() => {
      this.#running.delete(running);
      this.#tasks.delete(taskId);
    });
    this.#running.add(running);
  }

  /** Resolves when every import started so far has ended (tests, and a stopping node). */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  /** Glance's get_stores_from_request: all_stores, else `stores`, else the header, else the default store. */
  #targets(request: ImportRequest): ImageBackend[] {
    if (!this.backends.multiple) return [this.backends.default];
    let ids: readonly string[];
    if (request.allStores) {
      if (request.stores !== undefined || request.storeHeader !== undefined) {
        throw new BadRequest("All_stores parameter can't be used with x-image-meta-store header or stores parameter");
      }
      ids = this.backends.list().map((backend) => backend.id);
    } else if (request.stores !== undefined) {
      if (request.storeHeader !== undefined) throw new BadRequest("Stores parameter and x-image-meta-store header can't be both specified");
      ids = request.stores;
    } else {
      ids = [request.storeHeader ?? this.backends.default.id];
    }
    try {
      return ids.map((store) => this.backends.named(store));
    } catch (error) {
      // An unknown store in an import is a 409 in Glance (a 400 at upload).
      if (error instanceof UnknownStore) throw new Conflict(error.message);
      throw error;
    }
  }

  /**
   * Glance's _enforce_import_lock: a lock is valid while its import runs here or its image saw
   * progress within IMPORT_LOCK_EXPIRY_MS (409 "Image has active task"); an older one is taken
   * away, with the progress its import left, so the image can be imported again.
   */
  async #bustStaleLock(image: ImageRef, taskId: string): Promise<void> {
    const age = Date.parse(this.records.timestamp()) - Date.parse(image.updated_at);
    if (this.#tasks.has(taskId) || age < IMPORT_LOCK_EXPIRY_MS) throw new Conflict('Image has active task');
    if (!(await this.records.releaseProperty(image.id, IMPORT_TASK, taskId))) throw new Conflict('Image has active task');
    await this.records.update(image.id, { setProperties: { [IMPORTING_TO_STORES]: '' } });
    LOG.warning(`Image ${image.id} has stale import task ${taskId} (no progress for ${Math.round(age / 1000)} s): lock busted`);
  }

  /** glance-direct locks by its status change; copy-image (the image stays active) by the lock property alone. */
  async #lock(image: ImageRef, taskId: string): Promise<boolean> {
    if (image.status === 'uploading') {
      if (!(await this.records.compareAndSetStatus(image.id, 'uploading', 'importing'))) return false;
      await this.records.update(image.id, { setProperties: { [IMPORT_TASK]: taskId } });
      return true;
    }
    return this.records.claimProperty(image.id, IMPORT_TASK, taskId);
  }

  /** The data into each target store in turn; never rejects: a failure is logged and rolled back. */
  async #import(plan: ImportPlan): Promise<void> {
    const { id, taskId } = plan;
    const done: ImageBackend[] = [];
    let failure: unknown;
    for (const [index, target] of plan.targets.entries()) {
      let failed = false;
      try {
        await this.#importTo(plan, target, !plan.mustSucceed || index === plan.targets.length - 1);
        done.push(target);
      } catch (error) {
        failed = true;
        LOG.warning(`Import task ${taskId}: image ${id} could not be imported to store ${target.id || '-'}: ${error instanceof Error ? error.message : String(error)}`);
        if (plan.mustSucceed) failure = error;
      }
      await this.#progress(id, target, { failed });
      if (failure !== undefined) break;
    }
    try {
      if (failure !== undefined) {
        // As Glance's revert: the stores this task filled are emptied again, and the stores left are dropped.
        for (const backend of [...done, ...plan.targets.slice(done.length)]) await this.#removeCopy(id, backend);
        await this.records.update(id, { setProperties: { [IMPORTING_TO_STORES]: '' } });
      }
      if (plan.method === 'glance-direct') {
        const image = await this.records.find(id);
        if (image?.status === 'active') await this.#removeStaged(id);
        else await this.#unstage(id, undefined, 'importing', failure ?? new Error('None of the uploads finished!'));
      }
      await this.records.update(id, { removeProperties: [IMPORT_TASK] });
      if (failure === undefined) LOG.info(`Import task ${taskId} of image ${id} ended: ${done.length} of ${plan.targets.length} stores done`);
    } catch (error) {
      LOG.error(`Import task ${taskId} of image ${id} could not be finished`, { error });
    }
  }

  /** One store: data streamed in (inspected again or checked against the image's hash), committed, recorded; glance-direct may turn the image active. */
  async #importTo(plan: ImportPlan, target: ImageBackend, activate: boolean): Promise<void> {
    const { id } = plan;
    const copy = await target.store.stage(id, await plan.source.open(id), { maxBytes: this.quotas.sizeCap });
    let inspection: InspectionResult | undefined;
    try {
      if (plan.method === 'glance-direct') inspection = await checkImageData(this.formats, id, plan.diskFormat, copy.path);
      if (plan.expectedHash !== undefined && copy.sha512 !== plan.expectedHash) throw new Conflict(`The copy of image ${id} does not match its os_hash_value.`);
      await copy.commit();
    } catch (error) {
      await copy.abort();
      throw error;
    }
    await this.records.addLocation(id, target.id);
    if (inspection === undefined || !activate) return;
    const activated = await this.records.compareAndSetStatus(id, 'importing', 'active', {
      size: copy.size,
      virtual_size: inspection.virtualSize,
      checksum: copy.md5,
      os_hash_algo: 'sha512',
      os_hash_value: copy.sha512,
    });
    if (!activated && (await this.records.find(id))?.status !== 'active') throw new Conflict(`Image ${id} was deleted while it was imported.`);
    if (activated) LOG.info(`Image ${id} is active: ${copy.size} bytes of ${inspection.format}`);
  }

  /** A store is done with: off the importing list, and onto the failed list when it failed. */
  async #progress(id: string, target: ImageBackend, { failed }: { failed: boolean }): Promise<void> {
    if (target.id === '') return;
    const image = await this.records.find(id);
    if (image === undefined) return;
    const importing = storeList(image.properties[IMPORTING_TO_STORES]).filter((store) => store !== target.id);
    const failedStores = storeList(image.properties[FAILED_IMPORT]);
    if (failed && !failedStores.includes(target.id)) failedStores.push(target.id);
    await this.records.update(id, { setProperties: { [IMPORTING_TO_STORES]: importing.join(','), [FAILED_IMPORT]: failedStores.join(',') } });
  }

  async #removeCopy(id: string, backend: ImageBackend): Promise<void> {
    try {
      if (await this.records.removeLocation(id, backend.id)) await backend.store.delete(id);
    } catch (error) {
      LOG.error(`Could not remove the copy of image ${id} in store ${backend.id || '-'}`, { error });
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
