/**
 * QEMU driver figures on real nimbus-tiny guests under TCG (KVM where it works), through the
 * driver as the compute agent calls it: spawn (what create → ACTIVE waits on) and spawn → the
 * guest's ready line (p50 of 5, one guest at a time), suspend and resume of a booted guest, live
 * migration total time and downtime (QEMU's own figures) on shared instance storage and as a
 * block migration, and the RSS of an idle guest.
 * Reference (this machine kind, 2 shared cores, QEMU 7.2, 128 MB guests): ready line 2.5–10 s
 * depending on load, suspend ~0.65 s, resume ~0.2 s, migration ~0.6 s with ~30 ms downtime,
 * ~190 MB RSS per idle guest.
 */
import { readFile } from 'node:fs/promises';
import { configureLogging } from '../src/common/logging/logger.js';
import { contractInstance } from '../src/compute/virt/driver.contract.js';
import type { InstanceSpec } from '../src/compute/virt/instance-spec.js';
import type { QemuDriver } from '../src/compute/virt/qemu/driver.js';
import { InstanceDir } from '../src/compute/virt/qemu/instance/instance-dir.js';
import { waitForReady } from '../src/compute/virt/qemu/testing/guest-console.js';
import { QEMU_SKIP, qemuHarness } from '../src/compute/virt/qemu/testing/qemu-harness.js';

const BOOT = { powerOn: true, adminPassword: null, reuseDisks: false };
const SAMPLES = 5;

async function timed(operation: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await operation();
  return Math.round(performance.now() - started);
}

async function liveMigrate(source: QemuDriver, destination: QemuDriver, guest: InstanceSpec, blockMigration: boolean): Promise<void> {
  const target = await destination.preLiveMigration(guest, { sourceHost: source.host, blockMigration });
  await source.liveMigration(guest, target);
  await destination.postLiveMigrationAtDestination(guest);
  await source.postLiveMigrationAtSource(guest);
}

/** QEMU's total time and downtime, from the driver's log line of the migration. */
function qemuFigures(logLine: string | undefined): { qemu_total_ms: number; downtime_ms: number } {
  const figures = /took (\d+) ms, downtime (\d+) ms/.exec(logLine ?? '');
  return { qemu_total_ms: Number(figures?.[1]), downtime_ms: Number(figures?.[2]) };
}

async function main(): Promise<void> {
  if (QEMU_SKIP !== false) throw new Error(QEMU_SKIP);
  const migrations: string[] = [];
  configureLogging({ sink: (line) => (line.includes('Migration to') ? migrations.push(line) : undefined) });
  const harness = await qemuHarness();
  try {
    const spawns: number[] = [];
    const readies: number[] = [];
    for (let sample = 0; sample < SAMPLES; sample += 1) {
      const guest = contractInstance(harness);
      const started = performance.now();
      spawns.push(await timed(() => harness.driver.spawn(guest, BOOT)));
      await waitForReady(harness.driver, guest, 1);
      readies.push(Math.round(performance.now() - started));
      await harness.driver.destroy(guest, { destroyDisks: true });
    }
    const guest = contractInstance(harness);
    await harness.driver.spawn(guest, BOOT);
    await waitForReady(harness.driver, guest, 1);
    // Idle for a moment, as a booted guest would be.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const dir = new InstanceDir(harness.driver.paths, guest.uuid);
    const pid = (await readFile(dir.pidFile, 'utf8')).trim();
    const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]);
    const suspendMs = await timed(() => harness.driver.suspend(guest));
    const resumeMs = await timed(() => harness.driver.resume(guest));
    // To the host on the same storage (the disk stays), then on to one with its own (the disk goes too).
    const sharedMs = await timed(() => liveMigrate(harness.driver, harness.sharedPeer, guest, false));
    const shared = qemuFigures(migrations.at(-1));
    const blockMs = await timed(() => liveMigrate(harness.sharedPeer, harness.peer, guest, true));
    const block = qemuFigures(migrations.at(-1));
    const p50 = (samples: number[]): number | undefined => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
    process.stdout.write(
      `${JSON.stringify(
        {
          bench: 'qemu',
          guest_memory_mb: guest.flavor.memoryMb,
          spawn_p50_ms: p50(spawns),
          spawn_to_ready_line_p50_ms: p50(readies),
          spawn_to_ready_line_samples_ms: readies,
          suspend_ms: suspendMs,
          resume_ms: resumeMs,
          shared_storage_live_migration: { driver_total_ms: sharedMs, ...shared },
          block_live_migration: { driver_total_ms: blockMs, ...block },
          idle_guest_rss_mb: Math.round(rssKb / 1024),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await harness.dispose();
  }
}

await main();
