/**
 * Raw QEMU beside the driver, for bench/qemu: a guest the driver defined, started from the argv
 * the driver's own builder makes for that definition, by a bare spawn (no agent, no QMP, no
 * control plane), on a fresh qcow2 overlay of the same base image. What Nimbus adds to a boot and
 * to a guest's memory is the difference between the two.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type QemuImgFormat, createOverlay, imageInfo } from '../../src/common/disk/qemu-img.js';
import { buildQemuArgv } from '../../src/compute/virt/qemu/argv/build-argv.js';
import { BOOT, type VmDefinition, type VmRuntimePaths } from '../../src/compute/virt/qemu/argv/vm-definition.js';
import { TINY_READY_PATTERN } from '../../src/compute/virt/qemu/guest-image/tiny-image.js';
import { residentMb } from '../../src/compute/virt/qemu/host/proc-stats.js';

/** As the driver's guests are polled for their ready line (waitForReady). */
const POLL_MS = 100;
const READY_TIMEOUT_MS = 60_000;

export interface RawBoot {
  /** The argv's `-accel` value. */
  readonly accel: string;
  /** From spawn to the ready line in the console log. */
  readonly readyMs: number;
  /** VmRSS after the guest idled `idleMs` past its ready line. */
  readonly idleRssMb: number | undefined;
}

/** A guest the driver defined, and the base image under its root disk (read while the guest exists). */
export interface RawGuest {
  readonly definition: VmDefinition;
  readonly base: { readonly path: string; readonly format: QemuImgFormat; readonly rootBytes: number };
}

export async function rawGuest(definition: VmDefinition): Promise<RawGuest> {
  const [root] = definition.disks;
  if (root === undefined || definition.disks.length !== 1 || definition.volumes.length > 0 || definition.nics.length > 0) {
    throw new Error('raw QEMU runs a guest with one root disk, no volumes and no NICs');
  }
  const info = await imageInfo(root.path, { forceShare: true });
  if (info.backingFilename === null) throw new Error(`${root.path} has no base image`);
  const path = resolve(dirname(root.path), info.backingFilename);
  const format = (await imageInfo(path, { forceShare: true })).format === 'raw' ? 'raw' : 'qcow2';
  return { definition, base: { path, format, rootBytes: info.virtualSize } };
}

/**
 * The driver's argv for the guest, with its files in `dir` and its root disk a new overlay of the
 * same base; `accel` replaces the builder's `-accel` value (the TCG cache sweep).
 */
async function rawArgv({ definition, base }: RawGuest, dir: string, accel: string | undefined): Promise<string[]> {
  const disk = join(dir, 'disk');
  await createOverlay(base.path, base.format, disk, base.rootBytes);
  const paths: VmRuntimePaths = {
    qmpSocket: join(dir, 'qmp.sock'),
    consoleSocket: join(dir, 'console.sock'),
    vncSocket: join(dir, 'vnc.sock'),
    consoleLog: join(dir, 'console.log'),
    pidFile: join(dir, 'qemu.pid'),
  };
  const disks = definition.disks.map((root) => ({ ...root, path: disk }));
  const argv = buildQemuArgv({ ...definition, disks }, paths, BOOT);
  if (accel !== undefined) argv[argv.indexOf('-accel') + 1] = accel;
  return argv;
}

/** Boots the definition once as raw QEMU in `dir` (removed after), idles it, measures, kills it. */
export async function bootRawQemu(binary: string, guest: RawGuest, dir: string, options: { readonly accel?: string; readonly idleMs: number }): Promise<RawBoot> {
  await mkdir(dir, { recursive: true });
  try {
    const argv = await rawArgv(guest, dir, options.accel);
    const consoleLog = join(dir, 'console.log');
    let stderr = '';
    const started = performance.now();
    const child = spawn(binary, argv, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let gone: string | undefined;
    const exited = new Promise<void>((done) => {
      child.once('exit', (code, signal) => {
        gone = signal ?? `exit status ${String(code)}`;
        done();
      });
      child.once('error', (error) => {
        gone = error.message;
        done();
      });
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    try {
      let readyMs: number | undefined;
      while (readyMs === undefined) {
        if (gone !== undefined) throw new Error(`raw QEMU ended (${gone}): ${stderr.trim()}`);
        if (performance.now() - started > READY_TIMEOUT_MS) throw new Error(`raw QEMU: no ready line within ${READY_TIMEOUT_MS} ms`);
        if (TINY_READY_PATTERN.test(await readFile(consoleLog, 'utf8').catch(() => ''))) readyMs = Math.round(performance.now() - started);
        else await sleep(POLL_MS);
      }
      await sleep(options.idleMs);
      const idleRssMb = child.pid === undefined ? undefined : await residentMb(child.pid);
      return { accel: argv[argv.indexOf('-accel') + 1] ?? '', readyMs, idleRssMb };
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
