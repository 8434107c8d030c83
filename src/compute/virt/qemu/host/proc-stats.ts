/**
 * A QEMU process's figures from /proc, as libvirt reads them: its age, a thread's CPU time
 * (per vCPU, each vCPU being a thread), its resident memory. Undefined where the process or
 * thread is gone.
 */
import { readFile } from 'node:fs/promises';

/** USER_HZ: the unit of /proc's tick counts, fixed at 100 on Linux whatever the kernel's HZ. */
const TICKS_PER_SECOND = 100;

/** The fields after `(comm)`, which may itself hold spaces and parentheses: field n of proc(5) is at n - 3. */
async function statFields(path: string): Promise<string[] | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  return text.slice(text.lastIndexOf(')') + 2).trim().split(' ');
}

/** utime + stime of one thread, in nanoseconds. */
export async function threadCpuTimeNs(pid: number, tid: number): Promise<number | undefined> {
  const fields = await statFields(`/proc/${pid}/task/${tid}/stat`);
  if (fields === undefined) return undefined;
  const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
  return Number.isFinite(ticks) ? ticks * (1e9 / TICKS_PER_SECOND) : undefined;
}

/** Whole seconds since the process started (starttime against the host's uptime). */
export async function processAgeSeconds(pid: number): Promise<number | undefined> {
  const [fields, uptime] = await Promise.all([statFields(`/proc/${pid}/stat`), readFile('/proc/uptime', 'utf8').catch(() => undefined)]);
  if (fields === undefined || uptime === undefined) return undefined;
  const age = Number.parseFloat(uptime) - Number(fields[22 - 3]) / TICKS_PER_SECOND;
  return Number.isFinite(age) ? Math.max(0, Math.floor(age)) : undefined;
}

/** VmRSS, in MB. */
export async function residentMb(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
}
