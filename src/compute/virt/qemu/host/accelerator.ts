import { closeSync, openSync, readFileSync } from 'node:fs';

export type Accelerator = 'kvm' | 'tcg';

/**
 * KVM only where /dev/kvm opens read-write AND the CPU has vmx/svm: on a VM without nested
 * virtualisation /dev/kvm may exist while KVM hangs, so its presence alone proves nothing.
 */
export function detectAccelerator(): Accelerator {
  let cpuinfo: string;
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return 'tcg';
  }
  if (!/^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo)) return 'tcg';
  try {
    closeSync(openSync('/dev/kvm', 'r+'));
    return 'kvm';
  } catch {
    return 'tcg';
  }
}
