/**
 * A device's hot-unplug over QMP, shared by volumes and NICs: device_del, then the wait for the
 * guest to release it (DEVICE_DELETED), asking again while it does not answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type QmpMonitor, qmp } from './qmp/index.js';

const UNPLUG_TIMEOUT_MS = 30_000;
const UNPLUG_RETRY_MS = 2_000;

/**
 * Resolves once the guest released device `id` ('released'), or its QEMU went away
 * ('disconnected': nothing is left to free); throws when the guest keeps it past the timeout.
 * `what` names the device in that error.
 */
export async function unplugDevice(monitor: QmpMonitor, id: string, what: string): Promise<'released' | 'disconnected'> {
  // DEVICE_DELETED comes twice for a virtio device (its backend's path, then the device): match the device id.
  const released = monitor.waitForEvent('DEVICE_DELETED', { timeoutMs: UNPLUG_TIMEOUT_MS, match: (event) => event.data['device'] === id });
  await qmp.deviceDel(monitor, id);
  // A guest still booting misses the ACPI eject request: ask again until it answers (Nova retries detaches too).
  let outcome = await Promise.race([released, sleep(UNPLUG_RETRY_MS).then(() => 'retry' as const)]);
  while (outcome === 'retry') {
    await qmp.deviceDel(monitor, id).catch(() => undefined);
    outcome = await Promise.race([released, sleep(UNPLUG_RETRY_MS).then(() => 'retry' as const)]);
  }
  if (outcome === 'timeout') throw new Error(`the guest did not release ${what} within ${UNPLUG_TIMEOUT_MS / 1000} s`);
  return outcome === 'disconnected' ? 'disconnected' : 'released';
}
