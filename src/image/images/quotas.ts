import { PayloadTooLarge } from '../../common/errors/errors.js';
import type { ImageRecordStore } from '../db/image-record-store.js';
import { ImageTooLarge } from '../stores/errors.js';

const MIB = 1024 * 1024;

/** The `[image]` limits: 0 means no limit for the totals. */
export interface ImageLimits {
  /** Largest image an upload may bring, in bytes. */
  readonly sizeCap: number;
  /** Bytes of image data one project may store. */
  readonly sizeTotal: number;
  /** Images one project may own. */
  readonly countTotal: number;
}

/** Per-project quotas, worded as oslo.limit words an over-limit project. */
export class ImageQuotas {
  constructor(
    private readonly limits: ImageLimits,
    private readonly records: ImageRecordStore,
  ) {}

  /** Throws 413 when the owner already has image_count_total images. */
  async checkCanCreate(owner: string | null): Promise<void> {
    if (this.limits.countTotal === 0 || owner === null) return;
    const usage = await this.records.countOwned(owner);
    if (usage + 1 > this.limits.countTotal) throw overLimit(owner, 'image_count_total', this.limits.countTotal, usage, 1);
  }

  /** The most bytes one image may hold (`[image] image_size_cap`). */
  get sizeCap(): number {
    return this.limits.sizeCap;
  }

  /**
   * The most bytes an upload for this owner may bring: the size cap, or less when the storage
   * quota leaves less. `quotaBound` says which one limits, to word the 413.
   */
  async uploadAllowance(owner: string | null): Promise<{ maxBytes: number; quotaBound: boolean; usage: number }> {
    if (this.limits.sizeTotal === 0 || owner === null) return { maxBytes: this.limits.sizeCap, quotaBound: false, usage: 0 };
    const usage = await this.records.sizeOwned(owner);
    const remaining = this.limits.sizeTotal - usage;
    if (remaining <= 0) throw overLimit(owner, 'image_size_total', this.limits.sizeTotal, usage, 1);
    return remaining < this.limits.sizeCap
      ? { maxBytes: remaining, quotaBound: true, usage }
      : { maxBytes: this.limits.sizeCap, quotaBound: false, usage };
  }

  /**
   * Glance's /v2/info/usage for a project: its usage of each quota resource, sizes in MiB as
   * Glance counts them, and the limit (-1, oslo.limit's "unlimited", where none is set).
   * image_stage_total is what staged images (uploading or importing) hold.
   */
  async usage(owner: string): Promise<Record<string, { usage: number; limit: number }>> {
    const [size, staged, count, uploading] = await Promise.all([
      this.records.sizeOwned(owner),
      this.records.sizeStaged(owner),
      this.records.countOwned(owner),
      this.records.countUploading(owner),
    ]);
    return {
      image_size_total: { usage: Math.floor(size / MIB), limit: this.limits.sizeTotal === 0 ? -1 : Math.floor(this.limits.sizeTotal / MIB) },
      image_stage_total: { usage: Math.floor(staged / MIB), limit: -1 },
      image_count_total: { usage: count, limit: this.limits.countTotal === 0 ? -1 : this.limits.countTotal },
      image_count_uploading: { usage: uploading, limit: -1 },
    };
  }

  /** What a failed write with this allowance throws: a 413 where the quota bound it, in the quota's words; any other error as it is. */
  explainOverrun(allowance: { quotaBound: boolean; usage: number }, owner: string | null, error: unknown): unknown {
    if (allowance.quotaBound && error instanceof ImageTooLarge && owner !== null) return this.storageExceeded(owner, allowance.usage);
    return error;
  }

  /** The 413 for an upload that ran past the storage quota. */
  storageExceeded(owner: string, usage: number): PayloadTooLarge {
    return overLimit(owner, 'image_size_total', this.limits.sizeTotal, usage, this.limits.sizeTotal - usage + 1);
  }
}

function overLimit(owner: string, resource: string, limit: number, usage: number, delta: number): PayloadTooLarge {
  return new PayloadTooLarge(
    `Project ${owner} is over a limit for [Resource ${resource} is over limit of ${limit} due to current usage ${usage} and delta ${delta}]`,
  );
}
