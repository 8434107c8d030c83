import { BadRequest } from '../../common/errors/errors.js';
import type { ImageStore } from './image-store.js';

/** One store of the cloud, as glance_store's `enabled_backends` names it. */
export interface ImageBackend {
  /** Its id in enabled_backends; empty for the one store of a single-store cloud. */
  readonly id: string;
  /** glance_store's type name (`file`). */
  readonly type: string;
  readonly description: string;
  readonly store: ImageStore;
  /** What /v2/info/stores/detail shows of it (for a file store: data_dir, chunk_size, thin_provisioning). */
  readonly properties: Readonly<Record<string, unknown>>;
}

/**
 * The stores image data may live in. With `enabled_backends` set there are several, each named,
 * one the default; without, one unnamed store and no choice to offer (Glance's single-store mode).
 */
export class ImageBackends {
  readonly #backends: readonly ImageBackend[];
  readonly default: ImageBackend;
  /** True when the cloud has `enabled_backends` (Glance's multi-store mode). */
  readonly multiple: boolean;

  private constructor(backends: readonly ImageBackend[], defaultId: string, multiple: boolean) {
    const found = backends.find((backend) => backend.id === defaultId);
    if (found === undefined) throw new Error(`The default store ${defaultId} is not one of the stores`);
    this.#backends = backends;
    this.default = found;
    this.multiple = multiple;
  }

  /** A single-store cloud: its one store. */
  static single(store: ImageStore): ImageBackends {
    return new ImageBackends([{ id: '', type: 'file', description: '', store, properties: {} }], '', false);
  }

  /** A multi-store cloud (`enabled_backends`), with the store uploads go to by default. */
  static several(backends: readonly ImageBackend[], defaultId: string): ImageBackends {
    return new ImageBackends(backends, defaultId, true);
  }

  list(): readonly ImageBackend[] {
    return this.#backends;
  }

  find(id: string): ImageBackend | undefined {
    return this.#backends.find((backend) => backend.id === id);
  }

  /** glance_store's get_store_from_store_identifier: an unknown id fails with its message. */
  named(id: string): ImageBackend {
    const backend = this.find(id);
    if (backend === undefined) throw new UnknownStore(id);
    return backend;
  }

  /**
   * Where an image's data is read from: the first of its stores this cloud has, else the default
   * (images uploaded before the cloud had several stores, whose location names none of them).
   */
  holding(stores: readonly string[]): ImageBackend {
    for (const id of stores) {
      const backend = this.find(id);
      if (backend !== undefined) return backend;
    }
    return this.default;
  }
}

/** A store id the cloud does not have (glance_store's UnknownScheme); 400 unless a caller says otherwise. */
export class UnknownStore extends BadRequest {
  readonly storeId: string;

  constructor(id: string) {
    super(`Store for identifier ${id} not found`);
    this.storeId = id;
  }
}
