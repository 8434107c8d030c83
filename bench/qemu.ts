/**
 * QEMU driver figures on real nimbus-tiny guests under TCG (KVM where it works), through the
 * driver as the compute agent calls it: spawn (what create → ACTIVE waits on), spawn → the
 * guest's ready line and the RSS of the guest idle 3 s after it (p50 of 5, one guest at a time),
 * suspend and resume of a booted guest, live migration total time and downtime (QEMU's own
 * figures) on shared instance storage and as a block migration.
 * Beside the ready line and the RSS: raw QEMU on the same image with the argv the driver's builder
 * makes for the same guest, started by a bare spawn (bench/support/raw-qemu.ts), each raw boot
 * right after a driver's boot; and Nimbus's figure as a ratio of raw QEMU's. Then one raw boot per
 * TCG translation-cache size (`-accel tcg,tb-size=N` in MB; plain `tcg` is QEMU 7.2's default, a
 * 1 GiB buffer), with its ready line and idle RSS, and the sizes that keep the idle guest smallest.
 * Reference (this machine kind, 2 shared cores, QEMU 7.2, 128 MB guests): ready line 2.5–10 s
 * depending on load, suspend ~0.65 s, resume ~0.2 s, migration ~0.6 s with ~30 ms downtime,
 * ~190 MB RSS per idle guest. Three runs at load 3–5 (2026-12-06): Nimbus/raw QEMU 0.81–1.11 for
 * the ready line (within the load's noise) and 0.99–1.0 for the RSS; the idle RSS by tb-size
 * (ready line against the driver's 32): QEMU's default 215–219 MB (0.81–1.01×), 32 193–195 MB,
 * 16 171–177 MB (0.94–1.24×), 8 163–167 MB (1.6–2.2×), 4 160–162 MB (3.4×).
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { configureLogging } from '../src/common/logging/logger.js';
import { contractInstance } from '../src/compute/virt/driver.contract.js';
import type { InstanceSpec } from '../src/compute/virt/instance-spec.js';
import type { VmDefinition } from '../src/compute/virt/qemu/argv/vm-definition.js';
import type { QemuDriver } from '../src/compute/virt/qemu/driver.js';
import { qemuSystemBinary } from '../src/compute/virt/qemu/host/qemu-binary.js';
import { residentMb } from '../src/compute/virt/qemu/host/proc-stats.js';
import { InstanceDir, readDefinition } from '../src/compute/virt/qemu/instance/instance-dir.js';
import { pidOf } from '../src/compute/virt/qemu/process/qemu-process.js';
import { waitForReady } from '../src/compute/virt/qemu/testing/guest-console.js';
import { QEMU_SKIP, qemuHarness } from '../src/compute/virt/qemu/testing/qemu-harness.js';
import { type RawBoot, type RawGuest, bootRawQemu, rawGuest } from './support/raw-qemu.js';

const BOOT = { powerOn: true, adminPassword: null, reuseDisks: false };
const SAMPLES = 5;
/** How long a booted guest idles before its RSS is read. */
const IDLE_MS = 3000;
/** TCG translation-cache sizes tried beside the driver's own `-accel` (undefined: QEMU's default). */
const TB_SIZES_MB = [undefined, 16, 8, 4];

const p50 = (samples: readonly number[]): number | undefined => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
const p50Ready = (boots: readonly RawBoot[]): number | undefined => p50(boots.map((boot) => boot.readyMs));
const p50Rss = (boots: readonly RawBoot[]): number | undefined => p50(boots.flatMap((boot) => (boot.idleRssMb === undefined ? [] : [boot.idleRssMb])));

/** Nimbus's figure beside raw QEMU's, and how many times raw QEMU's it is. */
function sideBySide(nimbus: number | undefined, raw: number | undefined): { nimbus: number | undefined; raw_qemu: number | undefined; ratio: number | undefined } {
  const ratio = nimbus === undefined || raw === undefined || raw === 0 ? undefined : Math.round((nimbus / raw) * 100) / 100;
  return { nimbus, raw_qemu: raw, ratio };
}

/** One raw boot per translation-cache size. */
async function tcgCacheSweep(binary: string, guest: RawGuest, root: string): Promise<RawBoot[]> {
  const sweep: RawBoot[] = [];
  for (const size of TB_SIZES_MB) {
    const accel = size === undefined ? 'tcg' : `tcg,tb-size=${size}`;
    sweep.push(await bootRawQemu(binary, guest, join(root, `raw-tb-${size ?? 'default'}`), { accel, idleMs: IDLE_MS }));
  }
  return sweep;
}

async function definitionOf(dir: InstanceDir): Promise<VmDefinition> {
  const definition = await readDefinition(dir.definition);
  if (definition === undefined) throw new Error(`no definition in ${dir.runtime}`);
  return definition;
}

/** Within this of the driver's argv's p50 ready line, a cache size counts as booting no slower (one boot each: noisy). */
const NO_SLOWER_BOOT = 1.1;

/** The translation-cache sizes' figures, beside the driver's argv (its p50s), and the ones that keep an idle guest smallest. */
function tcgCacheFigures(samples: readonly RawBoot[], sweep: readonly RawBoot[]): Record<string, unknown> {
  const driverReady = p50Ready(samples) ?? Infinity;
  const sizes = [{ accel: `${samples[0]?.accel ?? ''} (the driver's)`, readyMs: driverReady, idleRssMb: p50Rss(samples) }, ...sweep];
  const smallest = (boots: readonly { accel: string; idleRssMb: number | undefined }[]): string | undefined =>
    [...boots].sort((a, b) => (a.idleRssMb ?? Infinity) - (b.idleRssMb ?? Infinity))[0]?.accel;
  return {
    tcg_translation_cache: sizes.map((boot) => ({
      accel: boot.accel,
      spawn_to_ready_line_ms: boot.readyMs,
      ready_line_vs_driver_argv: Math.round((boot.readyMs / driverReady) * 100) / 100,
      idle_guest_rss_mb: boot.idleRssMb,
    })),
    lowest_idle_rss_accel: smallest(sizes),
    lowest_idle_rss_accel_booting_no_slower: smallest(sizes.filter((boot) => boot.readyMs <= driverReady * NO_SLOWER_BOOT)),
  };
}

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
  const binary = qemuSystemBinary();
  if (QEMU_SKIP !== false || binary === undefined) throw new Error(QEMU_SKIP || 'qemu-system-x86_64 is not installed');
  const migrations: string[] = [];
  configureLogging({ sink: (line) => (line.includes('Migration to') ? migrations.push(line) : undefined) });
  const harness = await qemuHarness();
  try {
    const spawns: number[] = [];
    const readies: number[] = [];
    const idleRss: number[] = [];
    const rawSamples: RawBoot[] = [];
    let raw: RawGuest | undefined;
    for (let sample = 0; sample < SAMPLES; sample += 1) {
      const guest = contractInstance(harness);
      const started = performance.now();
      spawns.push(await timed(() => harness.driver.spawn(guest, BOOT)));
      await waitForReady(harness.driver, guest, 1);
      readies.push(Math.round(performance.now() - started));
      // Idle for a moment, as a booted guest would be.
      await sleep(IDLE_MS);
      const dir = new InstanceDir(harness.driver.paths, guest.uuid);
      const rss = await pidOf(dir).then((pid) => (pid === undefined ? undefined : residentMb(pid)));
      if (rss !== undefined) idleRss.push(rss);
      raw ??= await rawGuest(await definitionOf(dir));
      await harness.driver.destroy(guest, { destroyDisks: true });
      // Alternating with the driver's boots, so the shared machine's changing load weighs on both alike.
      rawSamples.push(await bootRawQemu(binary, raw, join(harness.root, `raw-${sample}`), { idleMs: IDLE_MS }));
    }
    const guest = contractInstance(harness);
    await harness.driver.spawn(guest, BOOT);
    await waitForReady(harness.driver, guest, 1);
    const suspendMs = await timed(() => harness.driver.suspend(guest));
    const resumeMs = await timed(() => harness.driver.resume(guest));
    // To the host on the same storage (the disk stays), then on to one with its own (the disk goes too).
    const sharedMs = await timed(() => liveMigrate(harness.driver, harness.sharedPeer, guest, false));
    const shared = qemuFigures(migrations.at(-1));
    const blockMs = await timed(() => liveMigrate(harness.sharedPeer, harness.peer, guest, true));
    const block = qemuFigures(migrations.at(-1));
    // The cache sizes' raw boots run alone, as the others did.
    await harness.peer.destroy(guest, { destroyDisks: true });
    const sweep = await tcgCacheSweep(binary, raw as RawGuest, harness.root);
    process.stdout.write(
      `${JSON.stringify(
        {
          bench: 'qemu',
          guest_memory_mb: guest.flavor.memoryMb,
          spawn_p50_ms: p50(spawns),
          spawn_to_ready_line_p50_ms: sideBySide(p50(readies), p50Ready(rawSamples)),
          spawn_to_ready_line_samples_ms: { nimbus: readies, raw_qemu: rawSamples.map((boot) => boot.readyMs) },
          suspend_ms: suspendMs,
          resume_ms: resumeMs,
          shared_storage_live_migration: { driver_total_ms: sharedMs, ...shared },
          block_live_migration: { driver_total_ms: blockMs, ...block },
          idle_guest_rss_p50_mb: sideBySide(p50(idleRss), p50Rss(rawSamples)),
          ...tcgCacheFigures(rawSamples, sweep),
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
