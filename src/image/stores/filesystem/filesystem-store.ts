import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BadRequest, NotFound } from '../../../common/errors/errors.js';
import { isDiskFull } from '../../../common/disk/disk-full.js';
import { RangeNotSatisfiable, StorageFull } from '../errors.js';
import type { ByteRange, ImageStore, StagedImage, StageLimits } from '../image-store.js';
import { MeasuringStream } from '../measuring-stream.js';

/** A staging file nobody wrote to for this long belongs to an upload that died with its process. */
export const STALE_STAGING_MS = 3600_000;

const STAGING_DIR = '.staging';
// Image ids are UUIDs from the API; anything that could name another path is refused outright.
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function isMissing(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

/** Flushes a file or directory to disk, so a rename survives a power cut with its data. */
async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Image data as plain files: `<directory>/<imageId>`, with uploads streamed to
 * `<directory>/.staging/<imageId>.<random>` (mode 0700) and renamed into place on commit.
 */
export class FilesystemImageStore implements ImageStore {
  readonly directory: string;
  private readonly stagingDirectory: string;
  private prepared: Promise<void> | undefined;

  constructor(directory: string) {
    this.directory = directory;
    this.stagingDirectory = join(directory, STAGING_DIR);
  }

  /**
   * Removes staging files a crashed process left behind: those untouched for STALE_STAGING_MS, so
   * an upload another process (sharing the directory) is writing right now is left alone. Runs
   * before the store's first operation; call it at start-up to reclaim the space at once.
   */
  async cleanStaging(now = Date.now()): Promise<void> {
    await mkdir(this.stagingDirectory, { recursive: true, mode: 0o700 });
    const leftovers = await readdir(this.stagingDirectory);
    await Promise.all(
      leftovers.map(async (name) => {
        const path = join(this.stagingDirectory, name);
        const modified = await stat(path).then((info) => info.mtimeMs, () => now);
        if (now - modified >= STALE_STAGING_MS) await rm(path, { force: true, recursive: true });
      }),
    );
  }

  async stage(imageId: string, data: Readable, limits: StageLimits): Promise<StagedImage> {
    const finalPath = this.dataPath(imageId);
    await this.ready();
    const path = join(this.stagingDirectory, `${imageId}.${randomBytes(8).toString('hex')}`);
    const meter = new MeasuringStream(limits.maxBytes);
    // Opened before streaming so the file exists by the time a failure removes it.
    const handle = await open(path, 'wx', 0o600);
    try {
      await pipeline(data, meter, handle.createWriteStream());
      // Written data may sit in the page cache: a full disk shows at the latest when it is flushed.
      await fsyncPath(path);
    } catch (error) {
      await removeIfPresent(path);
      throw isDiskFull(error) ? new StorageFull() : error;
    }
    const { size, md5, sha512 } = meter.result();
    return {
      path,
      size,
      md5,
      sha512,
      commit: async () => {
        await rename(path, finalPath);
        await fsyncPath(this.directory);
      },
      // After a commit the staging name no longer exists, so this never touches committed data.
      abort: () => removeIfPresent(path),
    };
  }

  async open(imageId: string, range?: ByteRange): Promise<Readable> {
    const handle = await open(this.dataPath(imageId), 'r').catch((error: unknown) => {
      throw isMissing(error) ? new NotFound(`No image data found for image ${imageId}.`) : error;
    });
    try {
      const { size } = await handle.stat();
      const bounds = range === undefined ? undefined : clampRange(range, size);
      // The stream owns the handle from here and closes it when it ends or is destroyed.
      return handle.createReadStream(bounds);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async delete(imageId: string): Promise<void> {
    await removeIfPresent(this.dataPath(imageId));
  }

  private dataPath(imageId: string): string {
    if (!SAFE_ID.test(imageId)) throw new BadRequest(`Invalid image id: ${JSON.stringify(imageId)}.`);
    return join(this.directory, imageId);
  }

  /** Creates the directories and clears old staging files once, before the first operation that writes. */
  private ready(): Promise<void> {
    this.prepared ??= this.cleanStaging().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }
}

/** An inclusive range within `size` bytes: an end past the data is cut to its last byte, as HTTP allows. */
function clampRange(range: ByteRange, size: number): { start: number; end: number } {
  if (!Number.isSafeInteger(range.start) || !Number.isSafeInteger(range.end) || range.start < 0 || range.end < range.start) {
    throw new RangeNotSatisfiable(size, `Invalid byte range ${range.start}-${range.end}.`);
  }
  if (range.start >= size) {
    throw new RangeNotSatisfiable(size, `Byte range ${range.start}-${range.end} starts beyond the image data (${size} bytes).`);
  }
  return { start: range.start, end: Math.min(range.end, size - 1) };
}
