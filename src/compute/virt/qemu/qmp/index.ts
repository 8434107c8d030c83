/**
 * @module A QMP client in Incus's cut: protocol (framing, ids, events), monitor (connect, run,
 * disconnect detection), commands (one typed function per QMP command), errors.
 */
export * as qmp from './commands.js';
export type { BlockDeviceStats, BlockStats, BlockdevOptions, CpuInfoFast, MigrationInfo, QmpMigrationStatus, RunState, StatusInfo, TapNetdev, VirtioBlkDevice, VirtioNetDevice } from './commands.js';
export { QmpCommandError, QmpDisconnected, QmpProtocolError, QmpTimeout } from './errors.js';
export { QmpMonitor } from './monitor.js';
export type { EventWait, EventWaitOptions } from './monitor.js';
export type { QmpEvent } from './protocol.js';
