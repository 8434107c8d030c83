import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Temp dirs a test file makes (state dirs of the clouds it starts), removed together by `removeAll` in its `after`. */
export class TempDirs {
  readonly #made: string[] = [];

  /** A new dir under the system's temp dir, named `<prefix>XXXXXX`. */
  make(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.#made.push(dir);
    return dir;
  }

  removeAll(): void {
    for (const dir of this.#made.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
