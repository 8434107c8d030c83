/**
 * @module The compute virt driver seam: the ComputeDriver contract and the types it speaks in.
 * Which driver runs is chosen by the composition roots (`cli/presets/drivers.ts`).
 */
export type { CapabilityFlag, DriverCapabilities } from './capabilities.js';
export type * from './driver.js';
export * from './errors.js';
export type { CpuInfo, HostResources } from './host-resources.js';
export type * from './instance-spec.js';
export { POWER_STATE_NAMES, PowerState, powerStateName } from './power-state.js';
