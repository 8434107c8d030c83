import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { runCommand } from '../../../common/process/run-command.js';
import type { VolumeDefinition } from './argv/vm-definition.js';
import { freePort } from './host/free-port.js';
import { qemuSystemBinary } from './host/qemu-binary.js';
import { QmpCommandError } from './qmp/errors.js';
import { QmpMonitor } from './qmp/monitor.js';
import { qmp } from './qmp/index.js';
import { growVolume, removeVolumeNodes, volumeDefinition } from './volumes.js';

// A real QEMU with no machine (no guest: the disk's nodes without a device) and a qemu-nbd export.
const binary = qemuSystemBinary();
const skip = binary === undefined ? 'qemu-system-x86_64 is not installed' : existsSync('/usr/bin/qemu-nbd') ? false : 'qemu-nbd is not installed (Debian package qemu-utils)';
const SIZE = 16 * 1024 * 1024;

let dir = '';
const children: ChildProcess[] = [];
let monitor: QmpMonitor;
let volume: VolumeDefinition;

async function listening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket.end() !== undefined)).once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${port}`);
}

before(async () => {
  if (skip !== false) return;
  dir = await mkdtemp(join(tmpdir(), 'nimbus-grow-'));
  await runCommand('qemu-img', ['create', '-q', '-f', 'raw', join(dir, 'volume'), String(SIZE)]);
  const port = await freePort('127.0.0.1');
  children.push(spawn('qemu-nbd', ['-f', 'raw', '-b', '127.0.0.1', '-p', String(port), '-x', 'vol', '-t', '-e', '8', join(dir, 'volume')], { stdio: 'ignore' }));
  await listening(port);
  const socket = join(dir, 'qmp.sock');
  children.push(spawn(binary ?? 'qemu-system-x86_64', ['-machine', 'none', '-nodefaults', '-display', 'none', '-S', '-qmp', `unix:${socket},server=on,wait=off`], { stdio: 'ignore' }));
  monitor = await QmpMonitor.connect(socket, { timeoutMs: 10_000 });
  volume = volumeDefinition({ volumeId: '6f1c2a4e-0000-4000-8000-000000000001', mountpoint: '/dev/vdb', connection: { driverVolumeType: 'nbd', host: '127.0.0.1', port, exportName: 'vol' } }, dir);
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** The disk's nodes as plug makes them (protocol `<id>-file` under format `<id>`), without a device. */
async function plugNodes(): Promise<void> {
  const { disk } = volume;
  await qmp.blockdevAdd(monitor, { driver: 'nbd', 'node-name': `${disk.id}-file`, server: { type: 'inet', host: '127.0.0.1', port: String(disk.nbd?.port) }, export: 'vol' });
  await qmp.blockdevAdd(monitor, { driver: 'raw', 'node-name': disk.id, file: `${disk.id}-file` });
}

/** The monitor, except that its `failAt`-th command fails, and with `exportGone` every later connection to the export too. */
function failing(failAt: number, exportGone = false): QmpMonitor {
  let calls = 0;
  const run = async (command: string, args?: Record<string, unknown>): Promise<unknown> => {
    calls += 1;
    if (calls === failAt || (exportGone && calls > failAt && command === 'blockdev-add')) throw new QmpCommandError(command, 'GenericError', 'injected');
    return monitor.run(command, args);
  };
  return new Proxy(monitor, { get: (target, key) => (key === 'run' ? run : (Reflect.get(target, key, target) as unknown)) });
}

const nodes = async (): Promise<string[]> => (await qmp.queryNamedBlockNodeNames(monitor)).sort();

test('a grow that fails at any QMP step leaves the disk on <id>-file as before; a later grow works; detach removes every node', { skip }, async () => {
  const { disk } = volume;
  await plugNodes();
  const plugged = [disk.id, `${disk.id}-file`].sort();
  // Its steps: add <id>-grow, reopen onto it, del <id>-file, add <id>-file, reopen onto it, del <id>-grow, block_resize.
  for (let step = 1; step <= 7; step += 1) {
    await assert.rejects(growVolume(failing(step), volume, SIZE), /injected/);
    assert.deepEqual(await nodes(), plugged, `after a failure at step ${step}`);
  }
  await growVolume(monitor, volume, SIZE);
  assert.deepEqual(await nodes(), plugged);
  await removeVolumeNodes(monitor, disk);
  assert.deepEqual(await nodes(), []);
});

test('a grow whose export goes away once the old connection is dropped leaves the disk on <id>-grow, and detach still removes every node', { skip }, async () => {
  const { disk } = volume;
  await plugNodes();
  await assert.rejects(growVolume(failing(4, true), volume, SIZE), /injected/);
  assert.deepEqual(await nodes(), [disk.id, `${disk.id}-grow`].sort(), 'the undo could not make <id>-file again');
  await removeVolumeNodes(monitor, disk);
  assert.deepEqual(await nodes(), []);
});
