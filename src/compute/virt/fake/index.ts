/**
 * @module The fake virt driver: an in-memory hypervisor, many hosts to a process.
 */
export { FakeDriver } from './fake-driver.js';
export type { FakeDriverOptions } from './fake-driver.js';
export { FakeHypervisorFleet, fakeDriverFactory, fakeHostName } from './fake-fleet.js';
export type { FakeFleetOptions } from './fake-fleet.js';
export type { FakeGuestView } from './fake-guest.js';
export { FAKE_HOST_PROFILE } from './fake-host-profile.js';
export type { FakeHostSize } from './fake-host-profile.js';
export { FakeHostRegistry } from './fake-host-registry.js';
export { FAKE_SNAPSHOT_BYTES } from './fake-disk-image.js';
export { FaultPlan } from './fault-plan.js';
export type { FaultOptions } from './fault-plan.js';
export { OperationDelays } from './operation-delays.js';
export type { DelayTable } from './operation-delays.js';
