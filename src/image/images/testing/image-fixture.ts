/**
 * Test-only helpers for the image service: a service on a fresh, migrated database of each
 * engine, a filesystem store in a temporary directory, a header-sniffing fake inspector and
 * request contexts for the personas.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withOpenDatabase, withTestDatabase } from '../../../../test/support/databases.js';
import type { RequestContext } from '../../../common/context/request-context.js';
import type { Database } from '../../../common/db/database.js';
import type { DialectName } from '../../../common/db/engine.js';
import { migrateToLatest } from '../../../common/db/migrator.js';
import { imageMigrations } from '../../db/migrations/index.js';
import { formatMatches } from '../../formats/format-matches.js';
import { ImageBackends } from '../../stores/backends.js';
import type { ImageStore } from '../../stores/image-store.js';
import { FilesystemImageStore } from '../../stores/filesystem/filesystem-store.js';
import type { FormatChecks } from '../image-data.js';
import { ImageService } from '../image-service.js';
import type { ImageLimits } from '../quotas.js';

/** The cloud administrator, in a project of their own. */
export const ADMIN: RequestContext = { requestId: 'req-admin', userId: 'admin', projectId: 'admin-project', roles: ['admin', 'member', 'reader'], isAdmin: true };

/** A member (and reader) of `project`. */
export function memberOf(project: string): RequestContext {
  return { requestId: `req-${project}`, userId: `user-of-${project}`, projectId: project, roles: ['member', 'reader'], isAdmin: false };
}

export const QCOW2_MAGIC = Buffer.from('QFI\xfb', 'latin1');

/**
 * Sniffs only what these tests write: qcow2 magic (and the word BACKING as a backing file);
 * anything else is raw. The real inspector has tests of its own.
 */
export const FAKE_FORMATS: FormatChecks = {
  inspect: async (path) => {
    const bytes = await readFile(path);
    if (bytes.subarray(0, 4).equals(QCOW2_MAGIC)) {
      return { format: 'qcow2', virtualSize: 1 << 20, safetyProblems: bytes.includes('BACKING') ? ['qcow2 image names a backing file'] : [] };
    }
    return { format: 'raw', virtualSize: bytes.length, safetyProblems: [] };
  },
  formatMatches,
  requireFormatMatch: true,
};

export const NO_LIMITS: ImageLimits = { sizeCap: 1 << 30, sizeTotal: 0, countTotal: 0 };

export interface ImageFixture {
  readonly images: ImageService;
  readonly db: Database;
  readonly store: ImageStore;
  /** Every file under the store's directory (committed and staged), relative names. */
  readonly storedFiles: () => Promise<string[]>;
  /** Moves the service's clock. */
  readonly advance: (ms: number) => void;
}

export interface FixtureOptions {
  readonly limits?: Partial<ImageLimits>;
  /** The one store (default: a filesystem store in the fixture's directory). */
  readonly store?: (directory: string) => ImageStore;
  /** Several stores instead (`enabled_backends`), under the fixture's directory. */
  readonly backends?: (directory: string) => ImageBackends;
}

/** Runs fn with an image service on a fresh database and an empty store directory. */
export async function withImages(dialect: DialectName, fn: (fixture: ImageFixture) => Promise<void>, options: FixtureOptions = {}): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'nimbus-image-store-'));
  try {
    await withTestDatabase(dialect, (url) =>
      withOpenDatabase(url, async (db) => {
        await migrateToLatest(db, imageMigrations);
        let now = new Date('2026-11-24T10:00:00.000Z').getTime();
        const store = options.store?.(directory) ?? new FilesystemImageStore(directory);
        const images = new ImageService({
          database: db,
          backends: options.backends?.(directory) ?? ImageBackends.single(store),
          staging: new FilesystemImageStore(join(directory, 'staging')),
          formats: FAKE_FORMATS,
          limits: { ...NO_LIMITS, ...options.limits },
          now: () => new Date(now),
        });
        const storedFiles = async () => (await readdir(directory, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
        await fn({ images, db, store, storedFiles, advance: (ms) => (now += ms) });
      }),
    );
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
