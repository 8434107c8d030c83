/**
 * Backups as files in a directory (Cinder's PosixBackupDriver over its chunked driver): each backup
 * is `<root>/backup-<id>/` holding its objects (`backup-00001`, …: zlib-compressed extents of the
 * volume, at most `chunk_size` each), `metadata` (every object's offset, length and the sha256 of
 * the stored bytes, and the parent backup) and `sha256file` (zlib-compressed: the sha256 of every
 * `sha_block_size` block of the volume, which the next incremental compares against). Extents that
 * read zeros are recorded in the metadata rather than stored. A full backup stores every
 * chunk; an incremental only the runs of blocks whose sha256 differs from its parent's.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm, rmdir, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { deflate as deflateCb, inflate as inflateCb, constants as zlibConstants } from 'node:zlib';
import { BackupCorrupt, type BackupDriver, type BackupResult, type CreateBackupRequest, type RestoreBackupRequest, type RestoredBackup } from '../backup-driver.js';

const deflate = promisify(deflateCb);
const inflate = promisify(inflateCb);

export interface PosixBackupOptions {
  /** `[backup] backup_posix_path`. */
  readonly directory: string;
  /** `[backup] chunk_size`: the largest object, bytes (a multiple of shaBlockSize). */
  readonly chunkSize: number;
  /** `[backup] sha_block_size`: the unit an incremental compares, bytes. */
  readonly shaBlockSize: number;
}

/** One stored extent of the volume. */
interface BackupObject {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  /** sha256 of the object as stored (compressed), checked before it is used. */
  readonly sha256: string;
}

/** An extent that reads zeros: recorded, not stored (a thin volume's unwritten space). */
interface ZeroExtent {
  readonly offset: number;
  readonly length: number;
}

/** The `metadata` file of a backup. */
interface BackupMetadata {
  readonly version: 1;
  readonly backup_id: string;
  readonly volume_id: string;
  readonly parent_id: string | null;
  readonly volume_size: number;
  readonly chunk_size: number;
  readonly sha_block_size: number;
  readonly compression: 'zlib';
  readonly objects: readonly BackupObject[];
  readonly zero_extents: readonly ZeroExtent[];
  /** The volume's metadata at backup time (absent in backups written before it was kept). */
  readonly volume_metadata?: Readonly<Record<string, string>>;
  /** The volume's image metadata (Cinder's `volume-glance-metadata` entry), when it had some. */
  readonly volume_glance_metadata?: Readonly<Record<string, string>>;
}

/** The `sha256file` of a backup: one hex digest per sha block of the whole volume. */
interface ShaFile {
  readonly sha_block_size: number;
  readonly sha256s: readonly string[];
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);
/** The driver's own container of one backup: `backup-<id>`. */
const OWN_CONTAINER = /^backup-[0-9A-Za-z-]{1,64}$/;
/** A user-named container is one directory name: no path, no dot entries. */
const isDirectoryName = (container: string): boolean => /^[0-9A-Za-z_.-]{1,255}$/.test(container) && container !== '.' && container !== '..';
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
/** Fast compression: a backup is bound by it, and random data does not shrink at higher levels. */
const COMPRESSION_LEVEL = zlibConstants.Z_BEST_SPEED;

export class PosixBackupDriver implements BackupDriver {
  readonly serviceName = 'cinder.backup.drivers.posix.PosixBackupDriver';
  readonly #options: PosixBackupOptions;

  constructor(options: PosixBackupOptions) {
    if (options.chunkSize <= 0 || options.chunkSize % options.shaBlockSize !== 0) {
      throw new Error(`[backup] chunk_size (${options.chunkSize}) must be a positive multiple of sha_block_size (${options.shaBlockSize})`);
    }
    this.#options = options;
  }

  async setUp(): Promise<void> {
    await mkdir(this.#options.directory, { recursive: true, mode: 0o700 });
  }

  async createBackup(request: CreateBackupRequest): Promise<BackupResult> {
    const dir = request.container === undefined ? this.#dirOf(request.backupId) : this.#namedDir(request.container, request.backupId);
    await mkdir(dir, { recursive: request.container !== undefined, mode: 0o700 });
    try {
      return await this.#write(request, dir);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  async #write(request: CreateBackupRequest, dir: string): Promise<BackupResult> {
    const { chunkSize, shaBlockSize } = this.#options;
    const parentShas = request.parentId === undefined ? undefined : (await this.#readSha(request.parentId, request.container)).sha256s;
    const objects: BackupObject[] = [];
    const zeroExtents: ZeroExtent[] = [];
    const shas: string[] = [];
    let storedBytes = 0;
    const store = async (offset: number, data: Buffer) => {
      if (isZero(data)) {
        zeroExtents.push({ offset, length: data.length });
        return;
      }
      const compressed = await deflate(data, { level: COMPRESSION_LEVEL });
      const name = `backup-${String(objects.length + 1).padStart(5, '0')}`;
      objects.push({ name, offset, length: data.length, sha256: sha256(compressed) });
      await writeFile(join(dir, name), compressed, { mode: 0o600 });
      storedBytes += compressed.length;
    };
    const source = await open(request.sourcePath, 'r');
    try {
      for (let offset = 0; offset < request.sizeBytes; offset += chunkSize) {
        const chunk = await readExactly(source, offset, Math.min(chunkSize, request.sizeBytes - offset));
        const firstBlock = shas.length;
        for (let at = 0; at < chunk.length; at += shaBlockSize) shas.push(blockSha(chunk.subarray(at, at + shaBlockSize)));
        if (parentShas === undefined) {
          await store(offset, chunk);
        } else {
          for (const [from, to] of changedRuns(shas, parentShas, firstBlock)) {
            await store(offset + (from - firstBlock) * shaBlockSize, chunk.subarray((from - firstBlock) * shaBlockSize, (to - firstBlock) * shaBlockSize));
          }
        }
        request.onProgress?.(offset + chunk.length);
      }
    } finally {
      await source.close();
    }
    const metadata: BackupMetadata = {
      version: 1,
      backup_id: request.backupId,
      volume_id: request.volumeId,
      parent_id: request.parentId ?? null,
      volume_size: request.sizeBytes,
      chunk_size: chunkSize,
      sha_block_size: shaBlockSize,
      compression: 'zlib',
      objects,
      zero_extents: zeroExtents,
      ...(request.volumeMetadata === undefined ? {} : { volume_metadata: request.volumeMetadata }),
      ...(request.imageMetadata === undefined ? {} : { volume_glance_metadata: request.imageMetadata }),
    };
    const shaFile: ShaFile = { sha_block_size: shaBlockSize, sha256s: shas };
    // Compressed: a thin volume's digests repeat, and the file would otherwise outweigh an incremental.
    await writeAtomically(join(dir, 'sha256file'), await deflate(JSON.stringify(shaFile), { level: COMPRESSION_LEVEL }));
    await writeAtomically(join(dir, 'metadata'), JSON.stringify(metadata));
    return { objectCount: objects.length, storedBytes, container: request.container ?? `backup-${request.backupId}` };
  }

  async restoreBackup(request: RestoreBackupRequest): Promise<RestoredBackup> {
    const chain = await this.#chainOf(request.backupId, request.container);
    const extents = (metadata: BackupMetadata): (BackupObject | ZeroExtent)[] => [...metadata.objects, ...metadata.zero_extents];
    const total = chain.reduce((sum, { metadata }) => sum + extents(metadata).reduce((bytes, extent) => bytes + extent.length, 0), 0);
    let done = 0;
    const target = await open(request.targetPath, 'r+');
    try {
      for (const { metadata, dir } of chain) {
        for (const extent of extents(metadata).sort((a, b) => a.offset - b.offset)) {
          if (isObject(extent)) {
            const data = await this.#readObject(metadata.backup_id, dir, extent);
            await target.write(data, 0, data.length, extent.offset);
          } else {
            await zeroOut(target, extent);
          }
          done += extent.length;
          request.onProgress?.(done, total);
        }
      }
      await target.sync();
    } finally {
      await target.close();
    }
    const latest = chain.at(-1)?.metadata;
    return { volumeMetadata: latest?.volume_metadata ?? null, imageMetadata: latest?.volume_glance_metadata ?? null };
  }

  async deleteBackup(container: string, backupId: string): Promise<void> {
    // No directory name: createBackup refused it, so nothing was stored.
    if (!isDirectoryName(container)) return;
    const dir = await this.#locate(container, backupId);
    await rm(dir, { recursive: true, force: true });
    // A named container goes when its last backup does (Cinder's posix leaves the directory; nothing reads it).
    if (dir === this.#namedDir(container, backupId)) {
      const named = this.#namedContainerDir(container);
      if (await rmdir(named).then(() => true, () => false)) await rmdir(dirname(named)).catch(() => undefined);
    }
  }

  #dirOf(backupId: string): string {
    return join(this.#options.directory, `backup-${backupId}`);
  }

  /** A user-named container: a directory under `containers/`, one subdirectory per backup naming it. */
  #namedContainerDir(container: string): string {
    if (!isDirectoryName(container)) {
      throw new Error(`Container ${container} is not a directory name this driver can use (letters, digits, '_', '.', '-')`);
    }
    return join(this.#options.directory, 'containers', container);
  }

  #namedDir(container: string, backupId: string): string {
    return join(this.#namedContainerDir(container), `backup-${backupId}`);
  }

  /** The driver's own per-backup container (an imported record may name another backup's). */
  #sharedDir(container: string): string {
    if (!OWN_CONTAINER.test(container)) throw new BackupCorrupt(`Container ${container} is not a backup directory of this driver`);
    return join(this.#options.directory, container);
  }

  /**
   * Where the backup's files are: its subdirectory of a named container (where it would be, for
   * one that stored nothing), else the driver's own container.
   */
  async #locate(container: string, backupId: string): Promise<string> {
    if (!isDirectoryName(container)) return this.#sharedDir(container);
    const named = this.#namedDir(container, backupId);
    if ((await exists(named)) || !OWN_CONTAINER.test(container)) return named;
    return this.#sharedDir(container);
  }

  /**
   * The backup's metadata and its ancestors', oldest (the full backup) first: each parent from
   * the same named container, else from its own.
   */
  async #chainOf(backupId: string, container: string): Promise<{ readonly metadata: BackupMetadata; readonly dir: string }[]> {
    const chain: { readonly metadata: BackupMetadata; readonly dir: string }[] = [];
    for (let id: string | null = backupId, from = await this.#locate(container, backupId); id !== null; ) {
      const metadata = JSON.parse((await this.#readFileOf(id, from, 'metadata')).toString('utf8')) as BackupMetadata;
      chain.unshift({ metadata, dir: from });
      id = metadata.parent_id;
      if (id !== null) from = await this.#parentDir(id, container);
      if (chain.length > 10_000) throw new BackupCorrupt(`Backup ${backupId} has a parent chain that does not end`);
    }
    return chain;
  }

  async #parentDir(parentId: string, container: string | undefined): Promise<string> {
    if (container === undefined) return this.#dirOf(parentId);
    const named = this.#namedDir(container, parentId);
    return (await exists(named)) ? named : this.#dirOf(parentId);
  }

  async #readSha(backupId: string, container: string | undefined): Promise<ShaFile> {
    const shaFile = JSON.parse((await inflate(await this.#readFileOf(backupId, await this.#parentDir(backupId, container), 'sha256file'))).toString('utf8')) as ShaFile;
    if (shaFile.sha_block_size !== this.#options.shaBlockSize) {
      throw new Error(`Backup ${backupId} was written with sha blocks of ${shaFile.sha_block_size} bytes, not ${this.#options.shaBlockSize}: make a full backup`);
    }
    return shaFile;
  }

  async #readFileOf(backupId: string, dir: string, name: string): Promise<Buffer> {
    try {
      return await readFile(join(dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BackupCorrupt(`Backup ${backupId} has no ${name} file in ${this.#options.directory}`);
      throw error;
    }
  }

  /** The object's data, once its stored bytes match the recorded sha256 and it inflates to its length. */
  async #readObject(backupId: string, dir: string, object: BackupObject): Promise<Buffer> {
    let stored: Buffer;
    try {
      stored = await readFile(join(dir, object.name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BackupCorrupt(`Backup ${backupId} object ${object.name} is missing`);
      throw error;
    }
    const actual = sha256(stored);
    if (actual !== object.sha256) {
      throw new BackupCorrupt(`Backup ${backupId} object ${object.name} failed its checksum: sha256 ${actual}, expected ${object.sha256}`);
    }
    const data = await inflate(stored);
    if (data.length !== object.length) throw new BackupCorrupt(`Backup ${backupId} object ${object.name} holds ${data.length} bytes, expected ${object.length}`);
    return data;
  }
}

/** Runs `[from, to)` of block indexes from `first` on whose digest differs from the parent's (or that the parent lacks). */
function changedRuns(shas: readonly string[], parent: readonly string[], first: number): [number, number][] {
  const runs: [number, number][] = [];
  for (let block = first; block < shas.length; block += 1) {
    if (shas[block] === parent[block]) continue;
    const last = runs.at(-1);
    if (last !== undefined && last[1] === block) last[1] = block + 1;
    else runs.push([block, block + 1]);
  }
  return runs;
}

const isObject = (extent: BackupObject | ZeroExtent): extent is BackupObject => 'name' in extent;

const ZEROS = Buffer.alloc(1024 * 1024);
const ZERO_BLOCK_SHAS = new Map<number, string>();

/** A block's sha256; zero blocks (most of a thin volume) from a table rather than hashed again. */
function blockSha(block: Buffer): string {
  if (!isZero(block)) return sha256(block);
  let digest = ZERO_BLOCK_SHAS.get(block.length);
  if (digest === undefined) {
    digest = sha256(Buffer.alloc(block.length));
    ZERO_BLOCK_SHAS.set(block.length, digest);
  }
  return digest;
}

/** Makes the extent read zeros, writing only where it does not already (a thin target stays thin). */
async function zeroOut(target: FileHandle, extent: ZeroExtent): Promise<void> {
  for (let at = 0; at < extent.length; at += ZEROS.length) {
    const length = Math.min(ZEROS.length, extent.length - at);
    if (!isZero(await readExactly(target, extent.offset + at, length))) await target.write(ZEROS, 0, length, extent.offset + at);
  }
}

function isZero(data: Buffer): boolean {
  for (let at = 0; at < data.length; at += ZEROS.length) {
    const part = data.subarray(at, at + ZEROS.length);
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}

async function readExactly(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) throw new Error(`The volume ended at byte ${position + filled}, before the ${position + length} expected`);
    filled += bytesRead;
  }
  return buffer;
}

/** The file appears whole or not at all. */
async function writeAtomically(path: string, content: string | Buffer): Promise<void> {
  await writeFile(`${path}.tmp`, content, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}
