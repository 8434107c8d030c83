/** Reading and changing a running guest's power over QMP. */
import { setTimeout as sleep } from 'node:timers/promises';
import { PowerState } from '../power-state.js';
import type { RunState } from './qmp/index.js';
import { type QmpMonitor, qmp } from './qmp/index.js';

/** QEMU's run state as Nova's power state (what libvirt's domain states map to). */
export function powerStateOf(status: RunState): PowerState {
  switch (status) {
    case 'running':
      return PowerState.RUNNING;
    case 'shutdown':
      return PowerState.SHUTDOWN;
    case 'internal-error':
    case 'guest-panicked':
      return PowerState.CRASHED;
    case 'suspended':
      return PowerState.SUSPENDED;
    default:
      // paused, inmigrate, postmigrate, prelaunch, io-error, …: the CPUs are not running.
      return PowerState.PAUSED;
  }
}

export interface AcpiShutdown {
  readonly timeoutMs: number;
  /** The guest may have missed a press (its ACPI driver not loaded yet): press again this often. */
  readonly retryIntervalMs: number;
}

/**
 * Presses the power button until the guest powers off (its QEMU exits: no -no-shutdown) or the
 * time is up. True when the guest went down by itself.
 */
export async function acpiShutdown(monitor: QmpMonitor, options: AcpiShutdown): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  while (monitor.connected && Date.now() < deadline) {
    await qmp.systemPowerdown(monitor).catch(() => undefined);
    const wait = Math.max(1, Math.min(options.retryIntervalMs, deadline - Date.now()));
    await Promise.race([monitor.closed, sleep(wait)]);
  }
  return !monitor.connected;
}
