import { findExecutable } from '../../../../common/process/find-executable.js';

/** The qemu-system-x86_64 on PATH, or undefined where QEMU is not installed. */
export function qemuSystemBinary(): string | undefined {
  return findExecutable('qemu-system-x86_64');
}
