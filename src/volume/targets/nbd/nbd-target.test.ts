import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { findExecutable } from '../../../common/process/find-executable.js';
import type { TargetExport } from '../volume-target.js';
import { NbdTarget } from './nbd-target.js';
import { daemonsUnder, runningDaemon, storageDaemonArgv, storageDaemonBinary, stopStorageDaemon } from './storage-daemon.js';

const run = promisify(execFile);
const binary = storageDaemonBinary();
const skip = binary === undefined || findExecutable('qemu-io') === undefined ? 'qemu-storage-daemon and qemu-io are not installed' : false;

/** qemu-io over NBD with TLS-PSK as a compute host's QEMU connects: a client PSK file of its own. */
async function qemuIo(scratch: string, target: TargetExport, key: string, commands: readonly string[]): Promise<string> {
  const dir = await mkdtemp(join(scratch, 'client-'));
  await writeFile(join(dir, 'keys.psk'), `${target.pskIdentity}:${key}\n`, { mode: 0o600 });
  const image = `driver=nbd,server.type=inet,server.host=${target.address},server.port=${target.port},export=${target.exportName},tls-creds=tls0`;
  const args = ['--object', `tls-creds-psk,id=tls0,endpoint=client,dir=${dir},username=${target.pskIdentity}`, '--image-opts', image, ...commands.flatMap((command) => ['-c', command])];
  const { stdout } = await run('qemu-io', args);
  return stdout;
}

test('the daemon reads its key from a file: the command line names no secret', () => {
  const argv = storageDaemonArgv({ dir: '/x/e', path: '/v/volume-1', address: '127.0.0.1', port: 10809, exportName: 'volume-1', readOnly: false });
  assert.deepEqual(argv, [
    '--object',
    'tls-creds-psk,id=tls0,endpoint=server,dir=/x/e',
    '--blockdev',
    'driver=file,node-name=volume,filename=/v/volume-1,locking=off',
    '--nbd-server',
    'addr.type=inet,addr.host=127.0.0.1,addr.port=10809,tls-creds=tls0',
    '--export',
    'type=nbd,id=export0,node-name=volume,name=volume-1,writable=on',
    '--pidfile',
    '/x/e/pid',
    '--daemonize',
  ]);
});

test('an NBD export: read and written with its key, refused with another or none, kept across a restart, gone after removal', { skip }, async () => {
  const scratch = await mkdtemp(join(tmpdir(), 'nimbus-nbd-'));
  const directory = join(scratch, 'exports');
  // A port range of this run's own, so parallel runs rarely meet (and step over each other's ports when they do).
  const firstPort = 20_000 + randomInt(0, 20_000);
  const target = () => new NbdTarget({ binary: binary as string, directory, address: '127.0.0.1', firstPort, portCount: 50 });
  try {
    const volumeId = randomUUID();
    const path = join(scratch, `volume-${volumeId}`);
    await writeFile(path, '');
    await truncate(path, 64 * 1024 * 1024);
    const nbd = target();
    await nbd.recover();
    const request = { volumeId, path, host: 'compute-far', readOnly: false };
    const exported = await nbd.ensureExport(request);
    assert.equal(exported.exportName, `volume-${volumeId}`);
    assert.match(exported.pskKey, /^[0-9a-f]{64}$/);
    assert.deepEqual(await nbd.ensureExport(request), exported, 'the same volume and host get the same export');

    await qemuIo(scratch, exported, exported.pskKey, ['write -P 0xa5 0 1M']);
    assert.match(await qemuIo(scratch, exported, exported.pskKey, ['read -P 0xa5 0 1M']), /read 1048576\/1048576 bytes/);
    assert.deepEqual((await readFile(path)).subarray(0, 4096), Buffer.alloc(4096, 0xa5), 'the bytes are in the volume');

    const wrongKey = exported.pskKey.replace(/^./, (digit) => (digit === '0' ? '1' : '0'));
    await assert.rejects(qemuIo(scratch, exported, wrongKey, ['read 0 4k']), /TLS handshake failed/);
    await assert.rejects(run('qemu-io', ['--image-opts', `driver=nbd,server.type=inet,server.host=127.0.0.1,server.port=${exported.port},export=${exported.exportName}`, '-c', 'read 0 4k']), /TLS/);

    // Another host gets its own export: its own port and key.
    const other = await nbd.ensureExport({ ...request, host: 'compute-other' });
    assert.notEqual(other.port, exported.port);
    assert.notEqual(other.pskKey, exported.pskKey);
    await assert.rejects(qemuIo(scratch, { ...exported, port: other.port }, exported.pskKey, ['read 0 4k']), /TLS handshake failed|not found/);
    await nbd.removeExport(volumeId, 'compute-other');

    // A volume service started again adopts the running daemon; one that died is started again with the same key.
    const pid = await runningDaemon(join(directory, (await readdir(directory))[0] as string));
    await target().recover();
    assert.deepEqual(daemonsUnder(directory), [pid]);
    await stopStorageDaemon(pid as number);
    await mkdir(join(directory, 'stray'));
    await target().recover();
    assert.equal(daemonsUnder(directory).length, 1);
    assert.notDeepEqual(daemonsUnder(directory), [pid]);
    assert.match(await qemuIo(scratch, exported, exported.pskKey, ['read -P 0xa5 0 1M']), /read 1048576\/1048576 bytes/);
    assert.deepEqual(await nbd.ensureExport(request), exported);

    await nbd.removeExport(volumeId, 'compute-far');
    await assert.rejects(qemuIo(scratch, exported, exported.pskKey, ['read 0 4k']), /Connection refused|Failed to connect/);
    assert.deepEqual(daemonsUnder(directory), []);
    assert.deepEqual(await readdir(directory), []);
    await nbd.removeExport(volumeId, 'compute-far');

    // A grown volume: its exports keep the size they were made with until made again, with the same port and key.
    const grown = await nbd.ensureExport(request);
    await nbd.ensureExport({ ...request, host: 'compute-other' });
    await truncate(path, 96 * 1024 * 1024);
    assert.match(await qemuIo(scratch, grown, grown.pskKey, ['length']), /^64 MiB/m);
    await nbd.refreshVolumeExports(volumeId);
    assert.match(await qemuIo(scratch, grown, grown.pskKey, ['length']), /^96 MiB/m);
    assert.deepEqual(await nbd.ensureExport(request), grown);
    assert.equal(daemonsUnder(directory).length, 2);

    // Deleting a volume ends all its exports.
    await nbd.removeVolumeExports(volumeId);
    assert.deepEqual(daemonsUnder(directory), []);
  } finally {
    for (const pid of daemonsUnder(directory)) process.kill(pid, 'SIGKILL');
    await rm(scratch, { recursive: true, force: true });
  }
});
