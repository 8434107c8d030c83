/**
 * True for a write that failed because its filesystem has no room: the errno of Node's own writes
 * (ENOSPC, a quota's EDQUOT, a file past the filesystem's limit EFBIG), or the words qemu-img
 * prints for the same errno when its write fails.
 */
export function isDiskFull(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' || /No space left on device|Disk quota exceeded/i.test(error.message);
}
