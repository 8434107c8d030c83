/**
 * One typed function per QMP command the driver uses, so no other module writes QMP by hand.
 * Names follow QEMU's command names; the QEMU 7.2 schema (qapi/*.json) is the reference.
 */
import type { QmpMonitor } from './monitor.js';

/** `query-status`'s run states that matter to the driver (QEMU's RunState, abridged). */
export type RunState =
  | 'running'
  | 'paused'
  | 'shutdown'
  | 'postmigrate'
  | 'inmigrate'
  | 'prelaunch'
  | 'finish-migrate'
  | 'restore-vm'
  | 'suspended'
  | 'internal-error'
  | 'io-error'
  | 'guest-panicked'
  | 'watchdog'
  | 'debug'
  | 'save-vm'
  | 'colo';

export interface StatusInfo {
  readonly status: RunState;
  readonly running: boolean;
}

export type QmpMigrationStatus =
  | 'none'
  | 'setup'
  | 'cancelling'
  | 'cancelled'
  | 'active'
  | 'postcopy-active'
  | 'postcopy-paused'
  | 'postcopy-recover'
  | 'completed'
  | 'failed'
  | 'colo'
  | 'pre-switchover'
  | 'device'
  | 'wait-unplug';

export interface MigrationInfo {
  readonly status?: QmpMigrationStatus;
  readonly 'error-desc'?: string;
  readonly 'total-time'?: number;
  readonly downtime?: number;
  readonly ram?: { readonly transferred: number; readonly remaining: number; readonly total: number };
}

export async function queryStatus(monitor: QmpMonitor): Promise<StatusInfo> {
  return (await monitor.run('query-status')) as StatusInfo;
}

/** Pauses the guest's CPUs. */
export async function stop(monitor: QmpMonitor): Promise<void> {
  await monitor.run('stop');
}

/** Resumes the guest's CPUs. */
export async function cont(monitor: QmpMonitor): Promise<void> {
  await monitor.run('cont');
}

/** Presses the ACPI power button. */
export async function systemPowerdown(monitor: QmpMonitor): Promise<void> {
  await monitor.run('system_powerdown');
}

/** Resets the machine, as the reset button does. */
export async function systemReset(monitor: QmpMonitor): Promise<void> {
  await monitor.run('system_reset');
}

/** Ends QEMU. The answer may not come: the socket closes as the process exits. */
export async function quit(monitor: QmpMonitor): Promise<void> {
  await monitor.run('quit');
}

/** Starts an outgoing migration to `uri` (`tcp:host:port`, `exec:cmd`, `unix:path`). */
export async function migrate(monitor: QmpMonitor, uri: string): Promise<void> {
  await monitor.run('migrate', { uri });
}

export async function queryMigrate(monitor: QmpMonitor): Promise<MigrationInfo> {
  return (await monitor.run('query-migrate')) as MigrationInfo;
}

/** Cancels the outgoing migration; the guest keeps running here. */
export async function migrateCancel(monitor: QmpMonitor): Promise<void> {
  await monitor.run('migrate_cancel');
}

/** Starts listening for an incoming migration on a QEMU started with `-incoming defer`. */
export async function migrateIncoming(monitor: QmpMonitor, uri: string): Promise<void> {
  await monitor.run('migrate-incoming', { uri });
}

/** Sets migration parameters, e.g. `{ 'downtime-limit': ms }` to make a migration converge. */
export async function migrateSetParameters(monitor: QmpMonitor, parameters: { readonly 'downtime-limit'?: number; readonly 'max-bandwidth'?: number }): Promise<void> {
  await monitor.run('migrate-set-parameters', parameters);
}

export type BlockdevOptions =
  | { readonly driver: 'file'; readonly 'node-name': string; readonly filename: string; readonly 'read-only'?: boolean }
  | { readonly driver: 'raw' | 'qcow2'; readonly 'node-name': string; readonly file: string; readonly 'read-only'?: boolean }
  | {
      readonly driver: 'nbd';
      readonly 'node-name': string;
      readonly server: { readonly type: 'inet'; readonly host: string; readonly port: string };
      readonly export: string;
      /** A tls-creds object's id: the connection is TLS. */
      readonly 'tls-creds'?: string;
      /** Seconds requests wait for a lost connection to come back before they fail. */
      readonly 'reconnect-delay'?: number;
      readonly 'read-only'?: boolean;
    };

export async function blockdevAdd(monitor: QmpMonitor, options: BlockdevOptions): Promise<void> {
  await monitor.run('blockdev-add', options);
}

export async function blockdevDel(monitor: QmpMonitor, nodeName: string): Promise<void> {
  await monitor.run('blockdev-del', { 'node-name': nodeName });
}

/** The names of every named block node (query-named-block-nodes, flat: each node once). */
export async function queryNamedBlockNodeNames(monitor: QmpMonitor): Promise<string[]> {
  const nodes = (await monitor.run('query-named-block-nodes', { flat: true })) as readonly { readonly 'node-name': string }[];
  return nodes.map((node) => node['node-name']);
}

/** Opens a node again with `options` (all of them: what is left out goes back to its default), e.g. over another `file` child. */
export async function blockdevReopen(monitor: QmpMonitor, options: BlockdevOptions): Promise<void> {
  await monitor.run('blockdev-reopen', { options: [options] });
}

/** A TLS client with a pre-shared key, read from `<dir>/keys.psk` (`identity:hexkey` lines) when the object is made. */
export type TlsCredsPskClient = {
  readonly 'qom-type': 'tls-creds-psk';
  readonly id: string;
  readonly endpoint: 'client';
  readonly dir: string;
  readonly username: string;
};

export async function objectAdd(monitor: QmpMonitor, object: TlsCredsPskClient): Promise<void> {
  await monitor.run('object-add', object);
}

export async function objectDel(monitor: QmpMonitor, id: string): Promise<void> {
  await monitor.run('object-del', { id });
}

/** Grows the image under a block node to `size` bytes and tells the guest's device (what a volume extend needs). */
export async function blockResize(monitor: QmpMonitor, nodeName: string, size: number): Promise<void> {
  await monitor.run('block_resize', { 'node-name': nodeName, size });
}

export type VirtioBlkDevice = {
  readonly driver: 'virtio-blk-pci';
  readonly id: string;
  readonly drive: string;
  readonly serial?: string;
  readonly 'share-rw'?: boolean;
};

export type VirtioNetDevice = {
  readonly driver: 'virtio-net-pci';
  readonly id: string;
  readonly netdev: string;
  readonly mac: string;
  readonly host_mtu: number;
};

export async function deviceAdd(monitor: QmpMonitor, device: VirtioBlkDevice | VirtioNetDevice): Promise<void> {
  await monitor.run('device_add', device);
}

/** A tap backend the host plugged beforehand (script=no: QEMU only opens it by name). */
export type TapNetdev = {
  readonly type: 'tap';
  readonly id: string;
  readonly ifname: string;
  readonly script: 'no';
  readonly downscript: 'no';
};

export async function netdevAdd(monitor: QmpMonitor, netdev: TapNetdev): Promise<void> {
  await monitor.run('netdev_add', netdev);
}

export async function netdevDel(monitor: QmpMonitor, id: string): Promise<void> {
  await monitor.run('netdev_del', { id });
}

/** Asks the guest to release a device; DEVICE_DELETED (with `data.device`) says it did. */
export async function deviceDel(monitor: QmpMonitor, id: string): Promise<void> {
  await monitor.run('device_del', { id });
}

export async function nbdServerStart(monitor: QmpMonitor, host: string, port: number): Promise<void> {
  await monitor.run('nbd-server-start', { addr: { type: 'inet', data: { host, port: String(port) } } });
}

export async function nbdServerAdd(monitor: QmpMonitor, device: string, options: { readonly writable: boolean }): Promise<void> {
  await monitor.run('nbd-server-add', { device, writable: options.writable });
}

export async function nbdServerStop(monitor: QmpMonitor): Promise<void> {
  await monitor.run('nbd-server-stop');
}

/** Mirrors `device` into `target`; BLOCK_JOB_READY says the copy caught up. */
export async function blockdevMirror(monitor: QmpMonitor, jobId: string, device: string, target: string): Promise<void> {
  await monitor.run('blockdev-mirror', { 'job-id': jobId, device, target, sync: 'top' });
}

/** Ends a block job; for a ready mirror this is the graceful end (BLOCK_JOB_COMPLETED follows). */
export async function blockJobCancel(monitor: QmpMonitor, device: string): Promise<void> {
  await monitor.run('block-job-cancel', { device });
}

/** One vCPU as `query-cpus-fast` reports it: `thread-id` is the host thread running it. */
export interface CpuInfoFast {
  readonly 'cpu-index': number;
  readonly 'thread-id': number;
  readonly 'qom-path': string;
}

export async function queryCpusFast(monitor: QmpMonitor): Promise<CpuInfoFast[]> {
  return (await monitor.run('query-cpus-fast')) as CpuInfoFast[];
}

/** A block backend's I/O counters since QEMU started (QEMU's BlockDeviceStats, abridged). */
export interface BlockDeviceStats {
  readonly rd_bytes: number;
  readonly wr_bytes: number;
  readonly rd_operations: number;
  readonly wr_operations: number;
  readonly failed_rd_operations: number;
  readonly failed_wr_operations: number;
  readonly failed_flush_operations: number;
}

/** One attached disk's counters; `node-name` is the format node (the definition's disk id). */
export interface BlockStats {
  readonly 'node-name'?: string;
  readonly qdev?: string;
  readonly stats: BlockDeviceStats;
}

export async function queryBlockstats(monitor: QmpMonitor): Promise<BlockStats[]> {
  return (await monitor.run('query-blockstats')) as BlockStats[];
}
