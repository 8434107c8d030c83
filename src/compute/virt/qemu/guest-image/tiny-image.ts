/**
 * nimbus-tiny, the project's own guest image (scripts/build-guest-image.sh builds it from Debian
 * packages), cached by the script's content so an edited recipe rebuilds and an unchanged one
 * costs a stat.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLogger } from '../../../../common/logging/logger.js';
import { runCommand } from '../../../../common/process/run-command.js';

const LOG = getLogger('nimbus.compute.virt.qemu.guest_image');

/** The name `nimbus up` gives the image in the image service. */
export const TINY_IMAGE_NAME = 'nimbus-tiny';
/** The line the guest's init prints on the serial console once it is up. */
export const TINY_READY_PATTERN = /=== nimbus-tiny ready: host=(\S+) boot=(\d+) .*uptime=([\d.]+)s ===/;
/** Smallest memory the image boots in (the kernel needs ~80 MB to unpack itself). */
export const TINY_MIN_RAM_MB = 96;

const BUILD_SCRIPT = fileURLToPath(new URL('../../../../../../scripts/build-guest-image.sh', import.meta.url));

/** Where built images are kept: `$NIMBUS_CACHE_DIR`, else `~/.cache/nimbus`. */
export function defaultCacheDir(): string {
  return process.env['NIMBUS_CACHE_DIR'] ?? join(homedir(), '.cache', 'nimbus');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The path of the built image (qcow2), building it on first use. */
export async function ensureTinyImage(cacheDir: string = defaultCacheDir()): Promise<string> {
  const recipe = await readFile(BUILD_SCRIPT);
  const digest = createHash('sha256').update(recipe).digest('hex').slice(0, 12);
  const image = join(cacheDir, `${TINY_IMAGE_NAME}-${digest}.qcow2`);
  if (await exists(image)) return image;
  await mkdir(cacheDir, { recursive: true });
  // Built under a unique name and renamed: two processes building at once both end well.
  const partial = `${image}.${process.pid}.partial`;
  LOG.info(`Building guest image ${TINY_IMAGE_NAME} into ${image}`);
  try {
    await runCommand('sh', [BUILD_SCRIPT, partial]);
    await rename(partial, image);
  } catch (error) {
    await rm(partial, { force: true });
    LOG.error(`Building guest image ${TINY_IMAGE_NAME} failed`, { error });
    throw error;
  }
  return image;
}
