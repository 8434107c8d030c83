import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { RequestContext } from '../../common/context/request-context.js';
import type { Database } from '../../common/db/database.js';
import { BadRequest, Conflict, Forbidden, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ImageBackend, ImageBackends } from '../stores/backends.js';
import type { ByteRange, ImageStore } from '../stores/image-store.js';
import { ImageData, type FormatChecks } from './image-data.js';
import { ImageImport, type ImportMethod, type ImportRequest } from './image-import.js';
import { ImageMembers } from './image-members.js';
import { MetadefService } from '../metadefs/metadef-service.js';
import { ImageRecordStore } from '../db/image-record-store.js';
import { CONTAINER_FORMATS, DISK_FORMATS, READ_ONLY_ATTRIBUTES, isReservedProperty, type ImageCreate, type ImageRef } from './image.js';
import { applyJsonPatch, type PatchChange } from './json-patch.js';
import { MAX_LIMIT, parseListQuery, type ImageListQuery } from './list-query.js';
import { ImageQuotas, type ImageLimits } from './quotas.js';
import { isVisible, viewerOf } from './visibility.js';

const LOG = getLogger('nimbus.image.images');

export interface ImageServiceOptions {
  readonly database: Database;
  /** The stores image data lives in (one, or several with `enabled_backends`). */
  readonly backends: ImageBackends;
  /** Where glance-direct keeps staged data until it is imported (Glance's node_staging_uri). */
  readonly staging: ImageStore;
  readonly formats: FormatChecks;
  readonly limits: ImageLimits;
  readonly now?: () => Date;
}

/** One page of a listing; `nextMarker` when the page is full (Glance then offers a `next` link). */
export interface ImagePage {
  readonly images: readonly ImageRef[];
  readonly nextMarker?: string;
}

/** What compute asks for when it snapshots an instance. */
export interface SnapshotSpec {
  readonly name: string;
  readonly instanceUuid: string;
  readonly baseImageRef?: string;
  readonly minDisk?: number;
  readonly minRam?: number;
  readonly diskFormat?: string;
  readonly containerFormat?: string;
  readonly visibility?: 'private' | 'shared';
  /** The project owning the snapshot (the instance's); the caller's project by default. */
  readonly owner?: string;
  /** More properties copied from the instance's image (os_type, hw_* …). */
  readonly properties?: Readonly<Record<string, string>>;
}

/**
 * Glance's domain layer. Every method takes the caller's context, so visibility applies to every
 * path in: an image the caller may not see is NotFound (never 403), whether asked over HTTP or by
 * compute in-process. Policy (who may do what to a visible image) is the API layer's.
 */
export class ImageService {
  readonly #records: ImageRecordStore;
  readonly #quotas: ImageQuotas;
  readonly #data: ImageData;
  readonly #import: ImageImport;
  readonly #staging: ImageStore;
  /** The stores image data lives in (Glance's enabled_backends, or the one store). */
  readonly backends: ImageBackends;
  /** Image sharing: members of `shared` images. */
  readonly members: ImageMembers;
  /** Metadata definitions (Glance's metadefs), which describe the properties images and other resources may carry. */
  readonly metadefs: MetadefService;

  constructor(options: ImageServiceOptions) {
    const now = options.now ?? (() => new Date());
    this.#records = new ImageRecordStore(options.database, now);
    this.#quotas = new ImageQuotas(options.limits, this.#records);
    this.backends = options.backends;
    this.#staging = options.staging;
    this.#data = new ImageData(this.#records, options.formats, this.#quotas);
    this.#import = new ImageImport(this.#records, options.backends, options.staging, options.formats, this.#quotas);
    this.members = new ImageMembers(this.#records, options.database, (context, id) => this.get(context, id));
    this.metadefs = new MetadefService(options.database, now);
  }

  async create(context: RequestContext, input: ImageCreate): Promise<ImageRef> {
    checkFormats(input.disk_format, input.container_format);
    for (const name of Object.keys(input.properties ?? {})) {
      if ((READ_ONLY_ATTRIBUTES as readonly string[]).includes(name) && name !== 'id') throw new Forbidden(`Attribute '${name}' is read-only.`);
      if (isReservedProperty(name)) throw new Forbidden(`Attribute '${name}' is reserved.`);
      if (name.length > 255) throw new BadRequest('Custom property should not be greater than 255 characters.');
    }
    const owner = input.owner ?? context.projectId ?? null;
    await this.#quotas.checkCanCreate(owner);
    const id = input.id ?? randomUUID();
    if ((await this.#records.find(id)) !== undefined) throw new Conflict(`Image with identifier ${id} already exists!`);
    const now = this.#records.timestamp();
    await this.#records.insert(
      {
        id,
        name: input.name ?? null,
        status: 'queued',
        disk_format: input.disk_format ?? null,
        container_format: input.container_format ?? null,
        size: null,
        virtual_size: null,
        checksum: null,
        os_hash_algo: null,
        os_hash_value: null,
        min_disk: input.min_disk ?? 0,
        min_ram: input.min_ram ?? 0,
        visibility: input.visibility ?? 'shared',
        protected: input.protected ?? false,
        os_hidden: input.os_hidden ?? false,
        owner,
        created_at: now,
        updated_at: now,
      },
      input.tags ?? [],
      input.properties ?? {},
    );
    LOG.info(`Created image ${id} owned by ${owner ?? '-'}`);
    return this.#found(id);
  }

  /** The caller's project's quota usage (Glance's /v2/info/usage); nothing for a caller without a project. */
  async usage(context: RequestContext): Promise<Record<string, { usage: number; limit: number }>> {
    return context.projectId === undefined ? {} : this.#quotas.usage(context.projectId);
  }

  /** The image if the caller may see it; NotFound otherwise (also for ids that are no uuid). */
  async get(context: RequestContext, id: string): Promise<ImageRef> {
    const image = await this.#records.find(id);
    if (image !== undefined) {
      const membership = context.projectId === undefined ? undefined : await this.#records.findMember(id, context.projectId);
      if (isVisible(context, image, membership)) return image;
    }
    throw new NotFound(`No image found with ID ${id}`);
  }

  async list(context: RequestContext, query: ImageListQuery): Promise<ImagePage> {
    // A marker the caller cannot see is as unknown as a missing one: 400, as Glance answers.
    if (query.marker !== undefined && !(await this.get(context, query.marker).then(() => true, () => false))) {
      throw new BadRequest(`No image found with ID ${query.marker}`);
    }
    const images = await this.#records.list(viewerOf(context), query);
    const last = images.at(-1);
    return images.length === query.limit && last !== undefined ? { images, nextMarker: last.id } : { images };
  }

  /** Applies validated JSON-patch changes (see json-patch.ts). */
  async update(context: RequestContext, id: string, changes: readonly PatchChange[]): Promise<ImageRef> {
    const image = await this.get(context, id);
    const update = applyJsonPatch(image, changes, context.isAdmin === true);
    if (!(await this.#records.update(id, update))) throw new NotFound(`No image found with ID ${id}`);
    return this.#found(id);
  }

  /** Removes the image and its data; a protected image stays. */
  async delete(context: RequestContext, id: string): Promise<void> {
    const image = await this.get(context, id);
    if (image.protected) throw new Forbidden(`Image ${id} is protected and cannot be deleted.`);
    await this.#records.delete(id);
    try {
      await Promise.all([...this.backends.list().map((backend) => backend.store.delete(id)), this.#staging.delete(id)]);
    } catch (error) {
      LOG.warning(`Image ${id} is deleted but its data could not be removed from the store`, { error });
    }
    LOG.info(`Deleted image ${id}`);
  }

  /** active → deactivated (already deactivated: nothing to do). */
  async deactivate(context: RequestContext, id: string): Promise<void> {
    await this.#toggle(context, id, 'deactivate', 'active', 'deactivated');
  }

  /** deactivated → active (already active: nothing to do). */
  async reactivate(context: RequestContext, id: string): Promise<void> {
    await this.#toggle(context, id, 'reactivate', 'deactivated', 'active');
  }

  async addTag(context: RequestContext, id: string, tag: string): Promise<void> {
    await this.get(context, id);
    await this.#records.addTag(id, tag);
  }

  async deleteTag(context: RequestContext, id: string, tag: string): Promise<void> {
    await this.get(context, id);
    if (!(await this.#records.deleteTag(id, tag))) throw new NotFound(`Tag ${tag} not found on image ${id}`);
  }

  /**
   * Streams data into a queued image until it is active; the one path HTTP uploads and compute
   * snapshots take. `store` (X-Image-Meta-Store) picks one of several stores; unknown: 400. A
   * single-store cloud ignores it, as Glance does.
   */
  async uploadImageData(context: RequestContext, id: string, data: Readable, store?: string): Promise<ImageRef> {
    const image = await this.get(context, id);
    const backend = !this.backends.multiple || store === undefined ? this.backends.default : this.backends.named(store);
    await this.#data.upload(image, data, backend);
    return this.#found(id);
  }

  /** glance-direct's first step: data into the staging area, queued → uploading. */
  async stageImageData(context: RequestContext, id: string, data: Readable): Promise<ImageRef> {
    await this.#import.stage(await this.get(context, id), data);
    return this.#found(id);
  }

  /** Starts importing a staged image (uploading → importing → active); returns once it has started. */
  async importImage(context: RequestContext, id: string, request: ImportRequest, authorize: (image: ImageRef, method: ImportMethod) => void): Promise<void> {
    const image = await this.get(context, id);
    await this.#import.start(image, request, (method) => authorize(image, method));
  }

  /**
   * Glance's first checks of DELETE /v2/stores/{store}/{image}, before the image is looked up: a
   * single-store cloud has no such route (404), a store it does not have is a 409.
   */
  storeForRemoval(storeId: string): ImageBackend {
    if (!this.backends.multiple) throw new NotFound('The resource could not be found.');
    const backend = this.backends.find(storeId);
    if (backend === undefined) throw new Conflict(`The selected store ${storeId} is not available on this node.`);
    return backend;
  }

  /** Removes an active image's data from one of its stores; its last store stays (403). */
  async removeFromStore(image: ImageRef, backend: ImageBackend): Promise<void> {
    const { id } = image;
    if (image.status !== 'active') throw new Conflict("It's not allowed to remove image data from store if image status is not 'active'");
    if (image.stores.length === 1) throw new Forbidden('Cannot delete image data from the only store containing it. Consider deleting the image instead.');
    if (!(await this.#records.removeLocation(id, backend.id))) throw new NotFound(`Image ${id} is not stored in store ${backend.id}.`);
    try {
      await backend.store.delete(id);
    } catch (error) {
      LOG.warning(`Image ${id} is no longer in store ${backend.id} but its data there could not be removed`, { error });
    }
    LOG.info(`Removed the data of image ${id} from store ${backend.id}`);
  }

  /** Resolves when the imports started so far have ended. */
  whenImportsIdle(): Promise<void> {
    return this.#import.whenIdle();
  }

  /**
   * The image, checked for download: deactivated images are the administrator's only. Its
   * `size` is null while it has no data.
   */
  async getDownloadable(context: RequestContext, id: string): Promise<ImageRef> {
    const image = await this.get(context, id);
    if (image.status === 'deactivated' && context.isAdmin !== true) {
      throw new Forbidden('The requested image has been deactivated. Image data download is forbidden.');
    }
    return image;
  }

  /** The data of an image from getDownloadable, whole or a range. */
  openData(image: ImageRef, range?: ByteRange): Promise<Readable> {
    return this.backends.holding(image.stores).store.open(image.id, range);
  }

  /** For compute: the image's metadata, under the caller's visibility. */
  getImageForCompute(context: RequestContext, id: string): Promise<ImageRef> {
    return this.get(context, id);
  }

  /** For compute: the images the caller sees with exactly these properties, newest first (a server's backups). */
  async listForCompute(context: RequestContext, properties: Readonly<Record<string, string>>): Promise<ImageRef[]> {
    const params = new URLSearchParams({ ...properties, sort_key: 'created_at', sort_dir: 'desc', limit: String(MAX_LIMIT) });
    return [...(await this.list(context, parseListQuery(params))).images];
  }

  /** For compute: the whole data of an active image, streamed. */
  async openImageData(context: RequestContext, id: string): Promise<Readable> {
    const image = await this.getDownloadable(context, id);
    if (image.status !== 'active' && image.status !== 'deactivated') throw new Conflict(`Image ${id} has no data: it is ${image.status}`);
    return this.openData(image);
  }

  /** For compute: a queued image to upload an instance snapshot into (Nova's snapshot properties). */
  createSnapshotImage(context: RequestContext, spec: SnapshotSpec): Promise<ImageRef> {
    return this.create(context, {
      name: spec.name,
      disk_format: spec.diskFormat ?? 'qcow2',
      container_format: spec.containerFormat ?? 'bare',
      min_disk: spec.minDisk ?? 0,
      min_ram: spec.minRam ?? 0,
      visibility: spec.visibility ?? 'private',
      ...(spec.owner === undefined ? {} : { owner: spec.owner }),
      // image_type is Nova's default: createImage's metadata may name another.
      properties: {
        image_type: 'snapshot',
        ...spec.properties,
        instance_uuid: spec.instanceUuid,
        ...(spec.baseImageRef === undefined ? {} : { base_image_ref: spec.baseImageRef }),
      },
    });
  }

  async #toggle(context: RequestContext, id: string, action: string, from: 'active' | 'deactivated', to: 'active' | 'deactivated'): Promise<void> {
    const image = await this.get(context, id);
    if (image.status === to) return;
    if (image.status !== from || !(await this.#records.compareAndSetStatus(id, from, to))) {
      throw new Forbidden(`Not allowed to ${action} image in status '${image.status}'`);
    }
    LOG.info(`Image ${id} is now ${to}`);
  }

  async #found(id: string): Promise<ImageRef> {
    const image = await this.#records.find(id);
    if (image === undefined) throw new NotFound(`No image found with ID ${id}`);
    return image;
  }
}

/** In-process callers skip the route schema: the same check. */
function checkFormats(disk: string | null | undefined, container: string | null | undefined): void {
  if (disk != null && !(DISK_FORMATS as readonly string[]).includes(disk)) throw new BadRequest(`Invalid disk format '${disk}' for image.`);
  if (container != null && !(CONTAINER_FORMATS as readonly string[]).includes(container)) {
    throw new BadRequest(`Invalid container format '${container}' for image.`);
  }
}
