// Modification times for the set-up scripts' "is the build older than its sources?" checks.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

export function newestUnder(dir) {
  let newest = mtime(dir);
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : mtime(path));
  }
  return newest;
}
