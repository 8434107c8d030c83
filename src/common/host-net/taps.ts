/**
 * Tap devices as the host's sysfs shows them, for both sides that touch them: the compute driver
 * (which makes a guest's taps) and the network agent (which joins them to bridges).
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../process/run-command.js';

const SYS_NET = '/sys/class/net';

/** Only tun/tap devices have tun_flags. */
export function isTap(name: string): Promise<boolean> {
  return access(join(SYS_NET, name, 'tun_flags')).then(
    () => true,
    () => false,
  );
}

/** Whether a process (a QEMU) has the tap open: only then has it a carrier. */
export async function tapInUse(name: string): Promise<boolean> {
  return (await readFile(join(SYS_NET, name, 'carrier'), 'utf8').catch(() => '0')).trim() === '1';
}

/**
 * Makes a persistent tap; false when it was there already. Both sides make a guest's tap where it is
 * missing, and during a live migration they do so at the same moment on the destination: the loser's
 * `ip tuntap add` then finds the tap still held open by the winner's and fails (TUNSETIFF: EBUSY),
 * which only means the tap exists.
 */
export async function addTap(name: string): Promise<boolean> {
  try {
    await runCommand('ip', ['tuntap', 'add', 'dev', name, 'mode', 'tap']);
    return true;
  } catch (error) {
    if (await isTap(name)) return false;
    throw error;
  }
}
