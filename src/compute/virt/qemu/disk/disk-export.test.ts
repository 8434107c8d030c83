import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { runCommand } from '../../../../common/process/run-command.js';
import { pullDisk, startDiskExport, stopDiskExport } from './disk-export.js';

const skip = existsSync('/usr/bin/qemu-nbd') ? false : 'qemu-nbd is not installed (Debian package qemu-utils)';

test('a served qcow2 overlay arrives byte for byte, and the export ends when stopped', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-disk-export-'));
  const pidFile = join(dir, 'disk-export.pid');
  try {
    await runCommand('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'base'), '16M']);
    await runCommand('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', join(dir, 'base'), join(dir, 'disk'), '16M']);
    await runCommand('qemu-io', ['-c', 'write -P 0x5a 1M 64k', join(dir, 'disk')]);
    const served = await startDiskExport(join(dir, 'disk'), '127.0.0.1', pidFile);
    const pid = Number(await readFile(pidFile, 'utf8'));
    await pullDisk(served, join(dir, 'copy'));
    assert.deepEqual(await readFile(join(dir, 'copy')), await readFile(join(dir, 'disk')), 'the overlay itself, not a flattened image');
    assert.match(await runCommand('qemu-io', ['-c', 'read -P 0x5a 1M 64k', join(dir, 'copy')]), /read 65536\/65536 bytes/);

    await stopDiskExport(pidFile);
    for (let attempt = 0; attempt < 50 && existsSync(`/proc/${pid}/cmdline`) && (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')) !== ''; attempt += 1) await sleep(100);
    assert.equal(existsSync(pidFile), false);
    await assert.rejects(pullDisk(served, join(dir, 'again')), 'nothing serves the disk any more');
    await stopDiskExport(pidFile);
  } finally {
    await stopDiskExport(pidFile);
    await rm(dir, { recursive: true, force: true });
  }
});
