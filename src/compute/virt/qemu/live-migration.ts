/**
 * Live migration between two hosts' QEMUs, libvirt's way. The destination starts the same
 * machine with `-incoming defer`, listens for the stream and, for a block migration, serves its
 * fresh disk over NBD; the source mirrors its disk into that export until the mirror is ready,
 * then migrates memory and device state, then ends the mirror. The destination's QEMU runs on by
 * itself when the stream ends if the source was running (QEMU carries the run state across).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LiveMigrationResult, LiveMigrationTarget } from '../driver.js';
import { getLogger } from '../../../common/logging/logger.js';
import { freePort } from './host/free-port.js';
import { awaitMigration } from './managed-save.js';
import { type QmpMonitor, qmp } from './qmp/index.js';

const LOG = getLogger('nimbus.compute.virt.qemu.migration');
const MIGRATION_TIMEOUT_MS = 300_000;
const MIRROR_READY_TIMEOUT_MS = 120_000;
/** QEMU's upper bound for downtime-limit (2000 s). */
const MAX_DOWNTIME_MS = 2_000_000;
const ROOT_NODE = 'disk0';
const MIRROR_JOB = 'migrate-disk0';
const MIRROR_TARGET = 'migrate-disk0-target';

export interface IncomingEndpoints {
  readonly incoming: { readonly address: string; readonly port: number };
  readonly diskExport: { readonly address: string; readonly port: number } | null;
}

/** On the destination, after QEMU started with `-incoming defer`: listen for the stream (and serve the disk). */
export async function listenForIncoming(monitor: QmpMonitor, address: string, blockMigration: boolean): Promise<IncomingEndpoints> {
  const port = await freePort(address);
  await qmp.migrateIncoming(monitor, `tcp:${address}:${port}`);
  if (!blockMigration) return { incoming: { address, port }, diskExport: null };
  const nbdPort = await freePort(address);
  await qmp.nbdServerStart(monitor, address, nbdPort);
  await qmp.nbdServerAdd(monitor, ROOT_NODE, { writable: true });
  return { incoming: { address, port }, diskExport: { address, port: nbdPort } };
}

/** On the destination: waits until the incoming stream is loaded (QEMU leaves `inmigrate`). */
export async function awaitArrival(monitor: QmpMonitor): Promise<void> {
  const deadline = Date.now() + MIGRATION_TIMEOUT_MS;
  while ((await qmp.queryStatus(monitor)).status === 'inmigrate') {
    if (Date.now() > deadline) throw new Error('the incoming migration did not finish loading');
    await sleep(50);
  }
}

/** On the destination once the guest arrived: stop serving its disk. */
export async function closeDiskExport(monitor: QmpMonitor): Promise<void> {
  await qmp.nbdServerStop(monitor).catch(() => undefined);
}

/** What an outgoing migration can be told while it runs. */
export class OutgoingMigration {
  aborted = false;
  readonly #monitor: QmpMonitor;

  constructor(monitor: QmpMonitor) {
    this.#monitor = monitor;
  }

  async abort(): Promise<void> {
    this.aborted = true;
    await qmp.migrateCancel(this.#monitor);
  }

  /**
   * Lets the migration finish now: with any downtime allowed, QEMU stops the guest for the last
   * copy at once (what libvirt's force-complete does by pausing), and it runs on at the destination.
   */
  async forceComplete(): Promise<void> {
    await qmp.migrateSetParameters(this.#monitor, { 'downtime-limit': MAX_DOWNTIME_MS });
  }
}

async function mirrorDisk(monitor: QmpMonitor, diskExport: { readonly address: string; readonly port: number }): Promise<void> {
  await qmp.blockdevAdd(monitor, {
    driver: 'nbd',
    'node-name': MIRROR_TARGET,
    server: { type: 'inet', host: diskExport.address, port: String(diskExport.port) },
    export: ROOT_NODE,
  });
  const ready = monitor.waitForEvent('BLOCK_JOB_READY', { timeoutMs: MIRROR_READY_TIMEOUT_MS, match: (event) => event.data['device'] === MIRROR_JOB });
  await qmp.blockdevMirror(monitor, MIRROR_JOB, ROOT_NODE, MIRROR_TARGET);
  const outcome = await ready;
  if (typeof outcome === 'string') throw new Error(`the disk mirror did not become ready (${outcome})`);
}

/** Ends the mirror (gracefully: a cancelled ready mirror leaves a complete copy) and drops its target. */
async function endMirror(monitor: QmpMonitor): Promise<void> {
  const done = monitor.waitForEvent('BLOCK_JOB_COMPLETED', { timeoutMs: 30_000, match: (event) => event.data['device'] === MIRROR_JOB });
  const cancelled = monitor.waitForEvent('BLOCK_JOB_CANCELLED', { timeoutMs: 30_000, match: (event) => event.data['device'] === MIRROR_JOB });
  if (await qmp.blockJobCancel(monitor, MIRROR_JOB).then(() => true, () => false)) await Promise.race([done, cancelled]);
  await qmp.blockdevDel(monitor, MIRROR_TARGET).catch(() => undefined);
}

/** On the source: moves the guest into `target`. The source QEMU is left in postmigrate on success. */
export async function migrateOut(monitor: QmpMonitor, target: LiveMigrationTarget, control: OutgoingMigration): Promise<LiveMigrationResult> {
  if (target.incoming === null) throw new Error(`${target.host} is not listening for the guest: it was not prepared by preLiveMigration`);
  const mirrored = target.blockMigration && target.diskExport !== null;
  if (target.blockMigration && target.diskExport === null) throw new Error(`${target.host} serves no disk for a block migration`);
  try {
    if (mirrored && target.diskExport !== null) await mirrorDisk(monitor, target.diskExport);
    if (control.aborted) return 'aborted';
    await qmp.migrate(monitor, `tcp:${target.incoming.address}:${target.incoming.port}`);
    const info = await awaitMigration(monitor, MIGRATION_TIMEOUT_MS);
    const ramMb = Math.round((info.ram?.transferred ?? 0) / 1024 ** 2);
    LOG.info(`Migration to ${target.host} took ${info['total-time'] ?? '?'} ms, downtime ${info.downtime ?? '?'} ms, ${ramMb} MB of memory sent`);
    return 'completed';
  } catch (error) {
    if (control.aborted) return 'aborted';
    throw error;
  } finally {
    if (mirrored) await endMirror(monitor);
  }
}
