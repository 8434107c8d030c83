/**
 * One guest's files on a host, in two places, as libvirt keeps them. Its storage directory
 * `<instances>/<uuid>/` holds what a shared instance store (NFS) carries between hosts: the root
 * disk overlay, the rescue disk, the config drive, the serial console log and the owner record. Its runtime
 * directory `<runtime>/<uuid>/` is this host's alone: the definition (what QEMU is started from),
 * the QMP, console and VNC sockets, QEMU's pid file and stderr, and the saved state while suspended.
 * Two hosts may so run the same guest's disk (a live migration, an evacuation) without sharing a
 * socket or a definition. Base images are shared in `<instances>/_base/`.
 */
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StartupError } from '../../../../common/errors/errors.js';
import type { VmDefinition, VmRuntimePaths } from '../argv/vm-definition.js';
import { DEFINITION_VERSION } from '../argv/vm-definition.js';

/** sun_path is 108 bytes; a longer socket path cannot be bound at all. */
const UNIX_SOCKET_PATH_MAX = 107;

/** Where one host keeps its guests. */
export interface HostPaths {
  /** Instance storage: this host's own, or shared with the hosts configured with the same path. */
  readonly instances: string;
  /** This host's runtime directories, never shared. */
  readonly runtime: string;
}

/**
 * A host's paths under the state dir: `<state_dir>/compute/<host>/instances` and `…/run`, or
 * `instancesPath` for the storage when `[compute] instances_path` names a (shared) directory.
 */
export function hostPaths(stateDir: string, host: string, instancesPath = ''): HostPaths {
  const hostDir = join(stateDir, 'compute', host);
  return { instances: instancesPath === '' ? join(hostDir, 'instances') : instancesPath, runtime: join(hostDir, 'run') };
}

export class InstanceDir implements VmRuntimePaths {
  /** The storage directory. */
  readonly path: string;
  /** The runtime directory. */
  readonly runtime: string;

  constructor(
    readonly paths: HostPaths,
    /** The guest's uuid, or a name derived from it (`<uuid>_resize`). */
    readonly name: string,
  ) {
    this.path = join(paths.instances, name);
    this.runtime = join(paths.runtime, name);
  }

  // Storage

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
  /** The host whose guest the disks are: only that host removes them. */
  get owner(): string {
    return join(this.path, 'host');
  }

  // Runtime

  get definition(): string {
    return join(this.runtime, 'definition.json');
  }
  /** Present while rescued: the definition the rescue boot runs from. */
  get rescueDefinition(): string {
    return join(this.runtime, 'definition.rescue.json');
  }
  /** Present on a live migration's destination until the guest arrived (nothing is listed before). */
  get incomingDefinition(): string {
    return join(this.runtime, 'definition.incoming.json');
  }
  get qmpSocket(): string {
    return join(this.runtime, 'qmp.sock');
  }
  get consoleSocket(): string {
    return join(this.runtime, 'console.sock');
  }
  get vncSocket(): string {
    return join(this.runtime, 'vnc.sock');
  }
  get pidFile(): string {
    return join(this.runtime, 'qemu.pid');
  }
  /** QEMU's stderr: where start-up and migration-load errors appear. */
  get stderrLog(): string {
    return join(this.runtime, 'qemu.log');
  }
  /** The guest's memory and device state while suspended (managed save). */
  get savedState(): string {
    return join(this.runtime, 'state.bin');
  }
}

/** Fails start-up, with the reason, where the state dir is too deep for QEMU's sockets (the CLI prints one line). */
export function checkSocketPathLength(paths: HostPaths): void {
  const longest = new InstanceDir(paths, '00000000-0000-0000-0000-000000000000').consoleSocket;
  if (Buffer.byteLength(longest) > UNIX_SOCKET_PATH_MAX) {
    throw new StartupError(`State dir too deep for QEMU's unix sockets: ${longest} exceeds ${UNIX_SOCKET_PATH_MAX} bytes; use a shorter [DEFAULT] state_dir`);
  }
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Written to a temporary name and renamed, so a crash never leaves half a definition; 0600, as it may hold a volume's NBD key. */
export async function writeDefinition(path: string, definition: VmDefinition): Promise<void> {
  await writeFile(`${path}.tmp`, `${JSON.stringify(definition, null, 2)}\n`, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

export async function readDefinition(path: string): Promise<VmDefinition | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const definition = JSON.parse(text) as Omit<VmDefinition, 'nics' | 'display'> & { readonly nics?: VmDefinition['nics']; readonly display?: VmDefinition['display'] };
  if (definition.version !== DEFINITION_VERSION) throw new Error(`${path}: unknown definition version ${String(definition.version)}`);
  // Definitions written before guests had NICs (or screens) have none.
  return { ...definition, nics: definition.nics ?? [], display: definition.display ?? 'none' };
}

/** Records `host` as the owner of the guest's disks (written whenever a host takes the guest over). */
export async function claimStorage(dir: InstanceDir, host: string): Promise<void> {
  await writeFile(`${dir.owner}.tmp`, `${host}\n`);
  await rename(`${dir.owner}.tmp`, dir.owner);
}

/** Whether `host` owns the guest's disks; disks nobody claimed (a half-made directory) count as its own. */
export async function ownsStorage(dir: InstanceDir, host: string): Promise<boolean> {
  const owner = await readFile(dir.owner, 'utf8').catch(() => undefined);
  return owner === undefined || owner.trim() === host;
}

/** Removes the guest's runtime directory, and its disks unless another host took them over (shared storage). */
export async function removeInstanceFiles(dir: InstanceDir, host: string): Promise<void> {
  if (await ownsStorage(dir, host)) await rm(dir.path, { recursive: true, force: true });
  await rm(dir.runtime, { recursive: true, force: true });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The uuids of guests whose runtime directory waits as a resize source (`<uuid>_resize`). */
export async function resizeSourceInstances(paths: HostPaths): Promise<string[]> {
  const entries = await readdir(paths.runtime).catch(() => [] as string[]);
  return entries.filter((entry) => entry.endsWith('_resize') && UUID.test(entry.slice(0, -'_resize'.length))).map((entry) => entry.slice(0, -'_resize'.length));
}

/** The uuids of the guests this host defines (their runtime directory holds a definition). */
export async function definedInstances(paths: HostPaths): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(paths.runtime);
  } catch {
    return [];
  }
  const defined: string[] = [];
  for (const entry of entries) {
    if (UUID.test(entry) && (await exists(new InstanceDir(paths, entry).definition))) defined.push(entry);
  }
  return defined;
}
