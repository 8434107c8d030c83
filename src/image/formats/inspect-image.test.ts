import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { formatMatches } from './format-matches.js';
import { inspectImage } from './inspect-image.js';

const QEMU_IMG = '/usr/bin/qemu-img';
const MISSING_QEMU_IMG = existsSync(QEMU_IMG) ? false : `SKIPPED: ${QEMU_IMG} is not installed (apt-get install qemu-utils)`;
if (MISSING_QEMU_IMG) process.stderr.write(`${MISSING_QEMU_IMG}\n`);

const run = promisify(execFile);
const MiB = 1024 * 1024;

let dir: string;

async function qemuImg(...args: string[]): Promise<string> {
  return (await run(QEMU_IMG, args, { cwd: dir })).stdout;
}

/** Creates an image with qemu-img and returns its path. */
async function create(name: string, format: string, size: string, ...options: string[]): Promise<string> {
  await qemuImg('create', '-f', format, ...options, name, size);
  return join(dir, name);
}

/** What qemu-img itself reports as the virtual size, read as `format`. */
async function qemuVirtualSize(path: string, format: string): Promise<number> {
  const info = JSON.parse(await qemuImg('info', '-f', format, '--output=json', path)) as { 'virtual-size': number };
  return info['virtual-size'];
}

/** `size` bytes starting with a sparse VMDK header: 2048 sectors, its descriptor at sector 1 and `descriptorSectors` long. */
function sparseVmdk(size: number, descriptorSectors: bigint): Buffer {
  const image = Buffer.alloc(size);
  image.write('KDMV', 0, 'latin1');
  image.writeUInt32LE(1, 4);
  image.writeBigUInt64LE(2048n, 12);
  image.writeBigUInt64LE(1n, 28);
  image.writeBigUInt64LE(descriptorSectors, 36);
  return image;
}

/** A minimal ISO 9660 image: an empty system area, a primary volume descriptor and a terminator. */
function isoImage(blocks: number): Buffer {
  const image = Buffer.alloc(16 * 2048 + 2 * 2048 + 2048);
  const pvd = image.subarray(16 * 2048, 17 * 2048);
  pvd[0] = 1;
  pvd.write('CD001', 1, 'latin1');
  pvd[6] = 1;
  pvd.writeUInt32LE(blocks, 80);
  pvd.writeUInt32BE(blocks, 84);
  pvd.writeUInt16LE(2048, 128);
  pvd.writeUInt16BE(2048, 130);
  const terminator = image.subarray(17 * 2048, 18 * 2048);
  terminator[0] = 255;
  terminator.write('CD001', 1, 'latin1');
  terminator[6] = 1;
  return image;
}

describe('inspectImage with images qemu-img made', { skip: MISSING_QEMU_IMG }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nimbus-inspect-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const safeCases: [name: string, qemuFormat: string, expected: string, size: string, options: string[]][] = [
    ['plain.qcow2', 'qcow2', 'qcow2', '100M', []],
    ['compat.qcow2', 'qcow2', 'qcow2', '3G', ['-o', 'compat=0.10']],
    ['sparse.vmdk', 'vmdk', 'vmdk', '50M', []],
    ['stream.vmdk', 'vmdk', 'vmdk', '64M', ['-o', 'subformat=streamOptimized']],
    ['dynamic.vhd', 'vpc', 'vhd', '100M', []],
    ['fixed.vhd', 'vpc', 'vhd', '10M', ['-o', 'subformat=fixed']],
    ['disk.vhdx', 'vhdx', 'vhdx', '100M', []],
    ['disk.vdi', 'vdi', 'vdi', '200M', []],
    ['disk.raw', 'raw', 'raw', '3M', []],
  ];
  for (const [name, qemuFormat, expected, size, options] of safeCases) {
    test(`${name}: ${expected}, qemu-img's virtual size, safe`, async () => {
      const path = await create(name, qemuFormat, size, ...options);
      const result = await inspectImage(path);
      assert.equal(result.format, expected);
      assert.equal(result.virtualSize, await qemuVirtualSize(path, qemuFormat));
      assert.deepEqual(result.safetyProblems, []);
    });
  }

  test('qcow2 with a backing file is unsafe', async () => {
    await create('base.raw', 'raw', '1M');
    const path = await create('overlay.qcow2', 'qcow2', '1M', '-b', 'base.raw', '-F', 'raw');
    const result = await inspectImage(path);
    assert.equal(result.format, 'qcow2');
    assert.equal(result.virtualSize, await qemuVirtualSize(path, 'qcow2'));
    assert.match(result.safetyProblems.join('\n'), /backing file/);
  });

  test('qcow2 with an external data file is unsafe', async () => {
    const path = await create('external.qcow2', 'qcow2', '10M', '-o', 'data_file=external.data');
    const result = await inspectImage(path);
    assert.equal(result.format, 'qcow2');
    assert.equal(result.virtualSize, 10 * MiB);
    assert.match(result.safetyProblems.join('\n'), /external data file/);
  });

  test('monolithicFlat vmdk (a descriptor naming a flat extent) is unsafe', async () => {
    const path = await create('flat.vmdk', 'vmdk', '5M', '-o', 'subformat=monolithicFlat');
    const result = await inspectImage(path);
    assert.equal(result.format, 'vmdk');
    assert.equal(result.virtualSize, await qemuVirtualSize(path, 'vmdk'));
    assert.match(result.safetyProblems.join('\n'), /flat\.vmdk|other files/);
  });

  test('twoGbMaxExtentSparse vmdk (split into extent files) is unsafe', async () => {
    const path = await create('split.vmdk', 'vmdk', '5M', '-o', 'subformat=twoGbMaxExtentSparse');
    const result = await inspectImage(path);
    assert.equal(result.format, 'vmdk');
    assert.notDeepEqual(result.safetyProblems, []);
  });

  test('the attack: "raw" upload that is a qcow2 naming a host file', async () => {
    const path = await create('attack.raw', 'qcow2', '1M', '-b', '/etc/passwd', '-F', 'raw');
    const result = await inspectImage(path);
    assert.equal(result.format, 'qcow2');
    assert.equal(formatMatches('raw', result.format), false);
    assert.notDeepEqual(result.safetyProblems, []);
  });
});

describe('inspectImage with hand-made files', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nimbus-inspect-hand-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function inspectBytes(name: string, bytes: Buffer): ReturnType<typeof inspectImage> {
    await writeFile(join(dir, name), bytes);
    return inspectImage(join(dir, name));
  }

  test('iso: volume space size × logical block size', async () => {
    const result = await inspectBytes('disc.iso', isoImage(1234));
    assert.deepEqual(result, { format: 'iso', virtualSize: 1234 * 2048, safetyProblems: [] });
  });

  test('raw bytes: the file size, safe', async () => {
    const result = await inspectBytes('bytes.raw', Buffer.alloc(5000, 7));
    assert.deepEqual(result, { format: 'raw', virtualSize: 5000, safetyProblems: [] });
  });

  test('an empty file is raw of size 0', async () => {
    assert.deepEqual(await inspectBytes('empty', Buffer.alloc(0)), { format: 'raw', virtualSize: 0, safetyProblems: [] });
  });

  test('a truncated qcow2 header is a safety problem, not a crash', async () => {
    const result = await inspectBytes('short.qcow2', Buffer.from('QFI\xfb\0\0\0\x03', 'latin1'));
    assert.equal(result.format, 'qcow2');
    assert.notDeepEqual(result.safetyProblems, []);
  });

  test('a sparse vmdk whose descriptor points past the file is a safety problem', async () => {
    const header = sparseVmdk(512, 20n);
    const result = await inspectBytes('broken.vmdk', header);
    assert.equal(result.format, 'vmdk');
    assert.match(result.safetyProblems.join('\n'), /could not be parsed/);
  });

  test('a sparse vmdk whose descriptor names an extent path is unsafe', async () => {
    const image = sparseVmdk(2048, 2n);
    image.write('version=1\ncreateType="monolithicSparse"\nRW 2048 FLAT "/etc/shadow" 0\n', 512, 'latin1');
    const result = await inspectBytes('evil.vmdk', image);
    assert.equal(result.format, 'vmdk');
    assert.equal(result.virtualSize, 2048 * 512);
    assert.match(result.safetyProblems.join('\n'), /\/etc\/shadow/);
  });

  test('a vhdx whose region table is garbage is a safety problem', async () => {
    const image = Buffer.alloc(256 * 1024);
    image.write('vhdxfile', 0, 'latin1');
    const result = await inspectBytes('broken.vhdx', image);
    assert.equal(result.format, 'vhdx');
    assert.match(result.safetyProblems.join('\n'), /region table/);
  });

  test('a file carrying two formats\' headers is flagged', async () => {
    const image = isoImage(16);
    image.write('QFI\xfb', 0, 'latin1');
    image.writeUInt32BE(3, 4);
    image.writeUInt32BE(16, 20);
    image.writeUInt32BE(104, 100);
    const result = await inspectBytes('polyglot.iso', image);
    assert.equal(result.format, 'qcow2');
    assert.equal(formatMatches('iso', result.format), false);
    assert.match(result.safetyProblems.join('\n'), /iso/);
  });
});
