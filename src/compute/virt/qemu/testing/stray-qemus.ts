import { readFileSync, readdirSync } from 'node:fs';

/** Pids of the QEMU processes whose command line names a path under `dir`: what a test must not leave behind. */
export function qemusUnder(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return (argv[0] ?? '').endsWith('qemu-system-x86_64') && argv.some((arg) => arg.includes(dir));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Ends, by pid, every QEMU still running from `dir` (an aborted test's guests). */
export function killQemusUnder(dir: string): void {
  for (const pid of qemusUnder(dir)) process.kill(pid, 'SIGKILL');
}
