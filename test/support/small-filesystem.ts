/**
 * A real small filesystem for out-of-space tests: a tmpfs of the given size mounted on a fresh
 * temporary directory, unmounted and removed when the test's function ends, even on failure.
 * Mounting needs root: tests skip with SMALL_FILESYSTEM_SKIP elsewhere.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `skip` for node:test: false where a tmpfs can be mounted, the reason elsewhere. */
export const SMALL_FILESYSTEM_SKIP: false | string = process.getuid?.() === 0 ? false : 'needs root to mount a small tmpfs';

export async function withSmallFilesystem<T>(size: string, fn: (mountPoint: string) => Promise<T>): Promise<T> {
  const mountPoint = await mkdtemp(join(tmpdir(), `nimbus-full-${randomUUID().slice(0, 8)}-`));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'nimbus-test-full', mountPoint]);
    try {
      return await fn(mountPoint);
    } finally {
      await run('umount', [mountPoint]);
    }
  } finally {
    await rm(mountPoint, { recursive: true, force: true });
  }
}
