/**
 * Suspend to disk (libvirt's managed save): the guest's memory and device state go to a file
 * through an outgoing migration, then QEMU ends; resume starts the same machine with that file
 * as its incoming migration. QEMU 7.2 has no `file:` URI, so `exec:` with cat carries it.
 */
import { rename, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InstanceDir } from './instance/instance-dir.js';
import { type MigrationInfo, type QmpMonitor, qmp } from './qmp/index.js';

const POLL_MS = 50;
const SAVE_TIMEOUT_MS = 120_000;

/** A single-quoted shell word (exec: runs its command through /bin/sh). */
function shellWord(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** Waits for the migration on `monitor` to end and returns its figures; throws with QEMU's reason if it failed. */
export async function awaitMigration(monitor: QmpMonitor, timeoutMs: number): Promise<MigrationInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await qmp.queryMigrate(monitor);
    if (info.status === 'completed') return info;
    if (info.status === 'failed' || info.status === 'cancelled') throw new Error(`migration ${info.status}: ${info['error-desc'] ?? 'no reason given'}`);
    if (Date.now() > deadline) throw new Error(`migration did not complete within ${timeoutMs / 1000} s (status ${info.status ?? 'none'})`);
    await sleep(POLL_MS);
  }
}

/** Saves the running or paused guest to `dir.savedState`. QEMU is left stopped, still running: the caller quits it. */
export async function saveState(monitor: QmpMonitor, dir: InstanceDir): Promise<void> {
  const partial = `${dir.savedState}.partial`;
  await qmp.stop(monitor);
  try {
    await qmp.migrate(monitor, `exec:cat > ${shellWord(partial)}`);
    await awaitMigration(monitor, SAVE_TIMEOUT_MS);
    await rename(partial, dir.savedState);
  } catch (error) {
    await rm(partial, { force: true });
    await qmp.cont(monitor).catch(() => undefined);
    throw error;
  }
}

/** The `-incoming` that loads the saved state. */
export function restoreUri(dir: InstanceDir): string {
  return `exec:cat ${shellWord(dir.savedState)}`;
}

/** After QEMU started with restoreUri and -S: waits for the load, then lets the guest run on. */
export async function finishRestore(monitor: QmpMonitor): Promise<void> {
  await awaitMigration(monitor, SAVE_TIMEOUT_MS);
  await qmp.cont(monitor);
}
