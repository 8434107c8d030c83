/**
 * The host side of a guest's NICs, as Nova's Linux bridge VIF type plugs them: one persistent tap
 * per NIC, made before QEMU starts (QEMU only opens it by name), with the port's MTU, joined to
 * the bridge the network agent made. Deleting the tap unplugs it, also under a running QEMU.
 * A persistent tap outlives its QEMU, so a guest keeps its port on the bridge while powered off.
 */
import { join } from 'node:path';
import { getLogger } from '../../../../common/logging/logger.js';
import { exists } from '../instance/instance-dir.js';
import { addTap, isTap } from '../../../../common/host-net/taps.js';
import { runCommand } from '../../../../common/process/run-command.js';

const LOG = getLogger('nimbus.compute.virt.qemu.vifs');
const SYS_NET = '/sys/class/net';

/** What plugging needs of a NIC: a VifSpec and a NicDefinition both are one. */
export interface Tap {
  readonly devname: string;
  readonly bridge: string;
  readonly mtu: number;
  /** The guest's MAC. */
  readonly mac: string;
}

function isBridge(name: string): Promise<boolean> {
  return exists(join(SYS_NET, name, 'bridge'));
}


/**
 * The guest's MAC with its first byte 0xfe, as libvirt gives a tap: a bridge takes the lowest
 * of its ports' MACs as its own, so taps must never undercut the uplink's.
 */
function hostSideMac(mac: string): string {
  return `fe${mac.slice(2)}`;
}

/** Creates the tap where it is missing and joins it to its bridge, up. Idempotent. */
export async function plugTap(tap: Tap): Promise<void> {
  if (!(await isBridge(tap.bridge))) {
    throw new Error(`bridge ${tap.bridge} for ${tap.devname} does not exist on this host (the network agent creates it)`);
  }
  const created = !(await exists(join(SYS_NET, tap.devname))) && (await addTap(tap.devname));
  if (!created && !(await isTap(tap.devname))) throw new Error(`${tap.devname} exists on this host and is not a tap device`);
  try {
    await runCommand('ip', ['link', 'set', 'dev', tap.devname, 'address', hostSideMac(tap.mac), 'mtu', String(tap.mtu), 'master', tap.bridge, 'up']);
  } catch (error) {
    if (created) await runCommand('ip', ['link', 'del', 'dev', tap.devname]).catch(() => undefined);
    throw error;
  }
  if (created) LOG.debug(`Plugged ${tap.devname} into bridge ${tap.bridge} (MTU ${tap.mtu})`);
}

export async function plugTaps(taps: readonly Tap[]): Promise<void> {
  for (const tap of taps) await plugTap(tap);
}

/** Deletes the taps that exist (a device of that name that is no tap is left alone). Idempotent. */
export async function unplugTaps(devnames: Iterable<string>): Promise<void> {
  for (const devname of new Set(devnames)) {
    if (!(await isTap(devname))) continue;
    try {
      await runCommand('ip', ['link', 'del', 'dev', devname]);
    } catch (error) {
      // Another caller's unplug may have won the race.
      if (await exists(join(SYS_NET, devname))) throw error;
    }
    LOG.debug(`Unplugged ${devname}`);
  }
}
