import { readFileSync } from 'node:fs';

/** kB figures from /proc/<pid>/status (VmRSS now, VmHWM the peak so far). */
export function memoryOf(pid: number): { rssKb: number; hwmKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? 0);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

/** Linux's USER_HZ: /proc reports CPU times in these ticks. */
const TICKS_PER_SECOND = 100;

/** utime, stime, cutime and cstime of /proc/<pid>/stat, in ms. */
function cpuTimesOf(pid: number): [number, number, number, number] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ms = (index: number) => (Number(fields[index]) * 1000) / TICKS_PER_SECOND;
  return [ms(11), ms(12), ms(13), ms(14)];
}

/**
 * CPU time (user + system) the process has used so far, in ms, from /proc/<pid>/stat. On a
 * shared machine this is steadier than wall-clock rates: other load slows a run, it does not
 * make the work dearer.
 */
export function cpuMsOf(pid: number): number {
  const [user, system] = cpuTimesOf(pid);
  return user + system;
}

/** CPU time of the children the process has waited for (a launcher's set-up step, a finished command). */
export function childrenCpuMsOf(pid: number): number {
  const [, , user, system] = cpuTimesOf(pid);
  return user + system;
}

/**
 * How long the process's main thread has waited, in ms, ready to run but given no CPU (the second
 * field of /proc/<pid>/schedstat). On a shared machine this is what other load adds to every
 * latency the cloud serves; the cloud's own code cannot shorten it.
 */
export function runQueueWaitMsOf(pid: number): number {
  const waitedNs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1] ?? 0);
  return waitedNs / 1e6;
}
