/**
 * A resize source's disk served to the destination of a cold migration between hosts that do
 * not share instance storage (where Nova's libvirt driver copies it over SSH): `qemu-nbd` serves
 * the file read-only, as raw bytes, on the source's migration address, and the destination reads
 * it with `qemu-img convert`, so the qcow2 overlay arrives as it is. The export runs detached
 * with a pid file beside the resize source, so it outlives an agent restart and confirm or
 * revert (any agent process) ends it.
 */
import { readFile, rm } from 'node:fs/promises';
import { runCommand } from '../../../../common/process/run-command.js';
import { freePort } from '../host/free-port.js';

/** Where a disk is served (an NBD server's address and port; its one export is `disk`). */
export interface DiskExport {
  readonly address: string;
  readonly port: number;
}

const EXPORT_NAME = 'disk';

/** Serves `path` read-only at `address` until stopDiskExport(pidFile); resolves once it listens (qemu-nbd --fork). */
export async function startDiskExport(path: string, address: string, pidFile: string): Promise<DiskExport> {
  const port = await freePort(address);
  await runCommand('qemu-nbd', [
    '--read-only', '--persistent', '--fork', '--format=raw', `--bind=${address}`, `--port=${port}`, `--export-name=${EXPORT_NAME}`, `--pid-file=${pidFile}`, path,
  ]);
  return { address, port };
}

/** Ends the export whose pid file this is (no file: none runs); only a qemu-nbd is signalled. */
export async function stopDiskExport(pidFile: string): Promise<void> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(pid) && pid > 0) {
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (command.split('\0')[0]?.endsWith('qemu-nbd') === true && command.includes(pidFile)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Ended meanwhile.
      }
    }
  }
  await rm(pidFile, { force: true });
}

/** Copies the served disk's bytes into `target` (a new file), as the source holds them. */
export async function pullDisk(from: DiskExport, target: string): Promise<void> {
  const host = from.address.includes(':') ? `[${from.address}]` : from.address;
  await runCommand('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'raw', `nbd://${host}:${from.port}/${EXPORT_NAME}`, target]);
}
