import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../../../../common/process/run-command.js';
import { ensureTinyImage } from './tiny-image.js';

test('the tiny image is a small qcow2 disk, built once and then taken from the cache', async () => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'nimbus-tiny-cache-'));
  try {
    const image = await ensureTinyImage(cacheDir);
    const info = JSON.parse(await runCommand('qemu-img', ['info', '--output=json', image])) as { format: string; 'virtual-size': number };
    assert.equal(info.format, 'qcow2');
    assert.ok(info['virtual-size'] < 64 * 1024 * 1024, `virtual size ${info['virtual-size']}`);
    const built = (await stat(image)).mtimeMs;
    assert.equal(await ensureTinyImage(cacheDir), image);
    assert.equal((await stat(image)).mtimeMs, built);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});
