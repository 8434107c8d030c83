import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getLogger } from '../../common/logging/logger.js';
import { generateFernetKey, parseFernetKey, type FernetKey } from './fernet.js';

const log = getLogger('nimbus.identity.tokens');

/** The staged key's file name: the next primary, already known to every node before it encrypts. */
const STAGED = 0;

/** Keystone's `[fernet_tokens] max_active_keys` default: staged + primary + one secondary. */
export const DEFAULT_MAX_ACTIVE_KEYS = 3;

/** The loaded keys, primary first: what encryption and decryption read. */
export interface FernetKeySet {
  /** Encrypts new tokens: the highest-numbered key. */
  readonly primary: FernetKey;
  /** Every key that may decrypt, primary first, then secondaries newest first, the staged key last. */
  readonly decryptionKeys: readonly FernetKey[];
  /** Bumped at every load, so holders of derived state (a token cache) can tell keys changed. */
  readonly generation: number;
}

/**
 * Keystone's Fernet key repository: files named 0, 1, 2 … in one directory. 0 is the staged key
 * (decrypts only, becomes the next primary), the highest index is the primary, the rest are
 * secondaries kept to decrypt tokens issued before a rotation. Keys are read once, after setup
 * and after each rotation, and again on `reload()` (another process rotated).
 */
export class FernetKeyRepository {
  readonly #directory: string;
  #keys: FernetKeySet | undefined;
  #generation = 0;
  /** Serialises setup/rotate/reload within the process, as they rename files. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(directory: string) {
    this.#directory = directory;
  }

  get directory(): string {
    return this.#directory;
  }

  /** The current keys; setup() must have run. */
  get keys(): FernetKeySet {
    if (this.#keys === undefined) throw new Error(`Fernet keys of ${this.#directory} are not loaded: call setup() first`);
    return this.#keys;
  }

  /**
   * Creates the directory (0700) and its first keys (0600) when missing, as `keystone-manage
   * fernet_setup` (a staged key, then one rotation: keys 0 and 1), then loads them. A repository
   * that lost its staged key mid-rotation gets a new one.
   */
  setup(): Promise<FernetKeySet> {
    return this.#serialised(async () => {
      await mkdir(this.#directory, { recursive: true, mode: 0o700 });
      const indices = await this.#indices();
      if (indices.length === 0) {
        await this.#writeStagedKey();
        await this.#rotate(DEFAULT_MAX_ACTIVE_KEYS);
        log.info(`Created Fernet key repository ${this.#directory}`);
      } else if (!indices.includes(STAGED)) {
        await this.#writeStagedKey();
        log.warning(`Fernet key repository ${this.#directory} had no staged key; created one`);
      }
      return this.#load();
    });
  }

  /**
   * `keystone-manage fernet_rotate`: the staged key becomes the primary (max index + 1), a new
   * staged key is written, and the oldest secondaries are removed so that at most
   * `maxActiveKeys` keys remain, staged and primary included.
   */
  rotate(maxActiveKeys = DEFAULT_MAX_ACTIVE_KEYS): Promise<FernetKeySet> {
    if (!Number.isInteger(maxActiveKeys) || maxActiveKeys < 2) {
      return Promise.reject(new RangeError('max_active_keys must be at least 2 (a staged and a primary key)'));
    }
    return this.#serialised(async () => {
      await this.#rotate(maxActiveKeys);
      return this.#load();
    });
  }

  /** Re-reads the keys from disk (after a rotation by another process). */
  reload(): Promise<FernetKeySet> {
    return this.#serialised(() => this.#load());
  }

  /**
   * Reloads whenever the repository changes (a rotation by `nimbus` in another process writes a
   * new staged key and renames files), checked every `intervalMs` on a timer that does not hold
   * the process open. Changes are seen by each file's name and inode, not the directory's mtime:
   * that moves in coarse kernel ticks, so a check in the middle of a rotation could otherwise
   * leave the rest of it unseen. Returns the function that stops watching.
   */
  watch(intervalMs = 30_000): () => void {
    let lastSignature: string | undefined;
    let checking = false;
    const check = async (): Promise<void> => {
      const signature = await this.#signature();
      if (lastSignature !== undefined && signature !== lastSignature) await this.reload();
      lastSignature = signature;
    };
    const timer = setInterval(() => {
      if (checking) return;
      checking = true;
      check()
        .catch((error: unknown) => log.warning(`Cannot reload Fernet keys from ${this.#directory}: ${String(error)}`))
        .finally(() => {
          checking = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** The repository's files by name and inode: a rewritten or renamed key changes it. */
  async #signature(): Promise<string> {
    const names = (await readdir(this.#directory)).sort();
    const entries = await Promise.all(
      names.map(async (name) => `${name}:${(await stat(join(this.#directory, name)).catch(() => ({ ino: 0 }))).ino}`),
    );
    return entries.join(',');
  }

  async #rotate(maxActiveKeys: number): Promise<void> {
    const indices = await this.#indices();
    const newPrimary = Math.max(...indices) + 1;
    const tmp = await this.#writeKeyFile(`${STAGED}.tmp`);
    await rename(this.#path(STAGED), this.#path(newPrimary));
    await rename(tmp, this.#path(STAGED));
    // Active keys other than the new staged one, newest first; drop from the oldest end.
    const active = [newPrimary, ...indices.filter((index) => index !== STAGED)].sort((a, b) => b - a);
    for (const index of active.slice(maxActiveKeys - 1)) {
      await rm(this.#path(index), { force: true });
      log.info(`Removed Fernet key ${this.#path(index)}`);
    }
    log.info(`Rotated Fernet keys in ${this.#directory}: primary is now key ${newPrimary}`);
  }

  async #load(): Promise<FernetKeySet> {
    const indices = (await this.#indices()).sort((a, b) => b - a);
    const keys: FernetKey[] = [];
    let primaryIndex: number | undefined;
    for (const index of indices) {
      const text = await readFile(this.#path(index), 'utf8');
      if (text.trim() === '') {
        log.warning(`Ignoring empty Fernet key ${this.#path(index)}`);
        continue;
      }
      try {
        keys.push(parseFernetKey(text));
      } catch (error) {
        throw new Error(`Fernet key ${this.#path(index)}: ${error instanceof Error ? error.message : String(error)}`);
      }
      primaryIndex ??= index;
    }
    const [primary] = keys;
    if (primary === undefined || primaryIndex === STAGED) {
      throw new Error(`Fernet key repository ${this.#directory} has no primary key: run setup or rotate`);
    }
    this.#generation += 1;
    this.#keys = { primary, decryptionKeys: keys, generation: this.#generation };
    return this.#keys;
  }

  async #writeStagedKey(): Promise<void> {
    await rename(await this.#writeKeyFile(`${STAGED}.tmp`), this.#path(STAGED));
  }

  /** Writes a fresh key to `name` with mode 0600 and returns its path. */
  async #writeKeyFile(name: string): Promise<string> {
    const path = join(this.#directory, name);
    await writeFile(path, generateFernetKey(), { mode: 0o600, flag: 'w' });
    await chmod(path, 0o600);
    return path;
  }

  /** The numeric key files present (other files, such as a leftover 0.tmp, are ignored). */
  async #indices(): Promise<number[]> {
    const names = await readdir(this.#directory);
    return names.filter((name) => /^(0|[1-9][0-9]*)$/.test(name)).map(Number);
  }

  #path(index: number): string {
    return join(this.#directory, String(index));
  }

  #serialised<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
