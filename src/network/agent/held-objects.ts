/**
 * What a network agent has wired on its host, kept in a file beside the data path's own state, so
 * an agent that starts again knows what an earlier run left and can remove what is no longer
 * wanted (Neutron's agents scan their devices for the same reason). Written after each change.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

interface HeldRecord {
  readonly networks: readonly string[];
  /** Port id → the host it is bound to. */
  readonly ports: Readonly<Record<string, string>>;
  readonly groups: readonly string[];
  readonly routers: readonly string[];
}

export class HeldObjects {
  readonly networks = new Set<string>();
  readonly ports = new Map<string, string>();
  readonly groups = new Set<string>();
  readonly routers = new Set<string>();

  /** `file` absent: held in memory only (a data path that forgets with the process, like the fake one). */
  constructor(private readonly file: string | undefined) {}

  /** Reads what an earlier run recorded; nothing when there is no record. */
  async load(): Promise<void> {
    if (this.file === undefined) return;
    const text = await readFile(this.file, 'utf8').catch(() => undefined);
    if (text === undefined) return;
    const record = JSON.parse(text) as HeldRecord;
    record.networks.forEach((id) => this.networks.add(id));
    Object.entries(record.ports).forEach(([id, host]) => this.ports.set(id, host));
    record.groups.forEach((id) => this.groups.add(id));
    record.routers.forEach((id) => this.routers.add(id));
  }

  async save(): Promise<void> {
    if (this.file === undefined) return;
    const record: HeldRecord = { networks: [...this.networks], ports: Object.fromEntries(this.ports), groups: [...this.groups], routers: [...this.routers] };
    await mkdir(dirname(this.file), { recursive: true });
    // Whole or not at all: a crash mid-write leaves the previous record.
    await writeFile(`${this.file}.tmp`, JSON.stringify(record));
    await rename(`${this.file}.tmp`, this.file);
  }
}
