/**
 * Tap devices as the host's sysfs shows them, for both sides that touch them: the compute driver
 * (which makes a guest's taps) and the network agent (which joins them to bridges).
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

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
