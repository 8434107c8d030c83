/** What this machine really has, for getAvailableResource: CPUs, memory, the instances file system. */
import { readFile, statfs } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import type { CpuInfo } from '../../host-resources.js';
import { runCommand } from '../../../../common/process/run-command.js';

const GIB = 1024 ** 3;

export interface HostCapacity {
  readonly vcpus: number;
  readonly memoryMb: number;
  readonly localGb: number;
}

export async function hostCapacity(instancesPath: string): Promise<HostCapacity> {
  const fs = await statfs(instancesPath);
  return {
    vcpus: cpus().length,
    memoryMb: Math.floor(totalmem() / 1024 ** 2),
    localGb: Math.floor((fs.blocks * fs.bsize) / GIB),
  };
}

/** The CPU as /proc/cpuinfo describes it (the first processor's entry stands for all). */
export async function hostCpuInfo(): Promise<CpuInfo> {
  const text = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const field = (name: string): string => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const sockets = new Set([...text.matchAll(/^physical id\s*:\s*(\d+)/gm)].map((match) => match[1])).size || 1;
  const cores = Number.parseInt(field('cpu cores'), 10) || cpus().length;
  const siblings = Number.parseInt(field('siblings'), 10) || cores;
  return {
    arch: process.arch === 'x64' ? 'x86_64' : process.arch,
    model: field('model name'),
    vendor: field('vendor_id'),
    features: field('flags').split(/\s+/).filter((flag) => flag !== ''),
    topology: { sockets, cores, threads: Math.max(1, Math.round(siblings / cores)) },
  };
}

/** QEMU's version in Nova's integer encoding (7.2.22 → 7002022). */
export async function qemuVersion(binary: string): Promise<number> {
  const match = /version (\d+)\.(\d+)\.(\d+)/.exec(await runCommand(binary, ['--version']));
  if (match === null) return 0;
  return Number(match[1]) * 1_000_000 + Number(match[2]) * 1_000 + Number(match[3]);
}
