/**
 * One guest's files on a host: `<instances>/<uuid>/` holds the definition (what QEMU is started
 * from), the root disk overlay, the config drive, the serial console log, the QMP and console sockets, QEMU's pid
 * file and stderr, and the saved state while suspended. Base images are shared in `_base/`.
 */
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VmDefinition, VmRuntimePaths } from '../argv/vm-definition.js';
import { DEFINITION_VERSION } from '../argv/vm-definition.js';

/** sun_path is 108 bytes; a longer socket path cannot be bound at all. */
const UNIX_SOCKET_PATH_MAX = 107;

export class InstanceDir implements VmRuntimePaths {
  readonly path: string;

  constructor(instancesPath: string, uuid: string) {
    this.path = join(instancesPath, uuid);
  }

  get definition(): string {
    return join(this.path, 'definition.json');
  }
  /** Present while rescued: the definition the rescue boot runs from. */
  get rescueDefinition(): string {
    return join(this.path, 'definition.rescue.json');
  }
  /** Present on a live migration's destination until the guest arrived (nothing is listed before). */
  get incomingDefinition(): string {
    return join(this.path, 'definition.incoming.json');
  }
  get rootDisk(): string {
    return join(this.path, 'disk');
  }
  /** The config drive (Nova's name for a vfat one), where the instance has one. */
  get configDrive(): string {
    return join(this.path, 'disk.config');
  }
  get rescueDisk(): string {
    return join(this.path, 'disk.rescue');
  }
  get consoleLog(): string {
    return join(this.path, 'console.log');
  }
  get qmpSocket(): string {
    return join(this.path, 'qmp.sock');
  }
  get consoleSocket(): string {
    return join(this.path, 'console.sock');
  }
  get pidFile(): string {
    return join(this.path, 'qemu.pid');
  }
  /** QEMU's stderr: where start-up and migration-load errors appear. */
  get stderrLog(): string {
    return join(this.path, 'qemu.log');
  }
  /** The guest's memory and device state while suspended (managed save). */
  get savedState(): string {
    return join(this.path, 'state.bin');
  }
}

/** Fails early, with the reason, where the state dir is too deep for QEMU's sockets. */
export function checkSocketPathLength(instancesPath: string): void {
  const longest = new InstanceDir(instancesPath, '00000000-0000-0000-0000-000000000000').consoleSocket;
  if (Buffer.byteLength(longest) > UNIX_SOCKET_PATH_MAX) {
    throw new Error(`Instance path ${instancesPath} is too long for QEMU's unix sockets (${longest} exceeds ${UNIX_SOCKET_PATH_MAX} bytes)`);
  }
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Written to a temporary name and renamed, so a crash never leaves half a definition. */
export async function writeDefinition(path: string, definition: VmDefinition): Promise<void> {
  await writeFile(`${path}.tmp`, `${JSON.stringify(definition, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

export async function readDefinition(path: string): Promise<VmDefinition | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const definition = JSON.parse(text) as VmDefinition;
  if (definition.version !== DEFINITION_VERSION) throw new Error(`${path}: unknown definition version ${String(definition.version)}`);
  return definition;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The uuids of guests whose directory waits as a resize source (`<uuid>_resize`). */
export async function resizeSourceInstances(instancesPath: string): Promise<string[]> {
  const entries = await readdir(instancesPath).catch(() => [] as string[]);
  return entries.filter((entry) => entry.endsWith('_resize') && UUID.test(entry.slice(0, -'_resize'.length))).map((entry) => entry.slice(0, -'_resize'.length));
}

/** The uuids of the instance directories that hold a definition. */
export async function definedInstances(instancesPath: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(instancesPath);
  } catch {
    return [];
  }
  const defined: string[] = [];
  for (const entry of entries) {
    if (UUID.test(entry) && (await exists(new InstanceDir(instancesPath, entry).definition))) defined.push(entry);
  }
  return defined;
}
