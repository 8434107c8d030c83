import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The qemu-system-x86_64 on PATH, or undefined where QEMU is not installed. */
export function qemuSystemBinary(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'qemu-system-x86_64');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
