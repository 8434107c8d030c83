/**
 * NIC hot-plug over QMP: a tap netdev on the tap the host plugged beforehand and a virtio-net
 * device with the port's MAC and MTU, ids as at boot (nicDefinition), so a restart or a
 * migration builds the same NIC. Unplug waits for the guest to release the device before the
 * netdev goes.
 */
import type { NicDefinition } from './argv/vm-definition.js';
import { unplugDevice } from './device-unplug.js';
import { type QmpMonitor, qmp } from './qmp/index.js';

export async function plugNic(monitor: QmpMonitor, nic: NicDefinition): Promise<void> {
  await qmp.netdevAdd(monitor, { type: 'tap', id: nic.id, ifname: nic.devname, script: 'no', downscript: 'no' });
  try {
    await qmp.deviceAdd(monitor, { driver: 'virtio-net-pci', id: `${nic.id}-dev`, netdev: nic.id, mac: nic.mac, host_mtu: nic.mtu });
  } catch (error) {
    await qmp.netdevDel(monitor, nic.id).catch(() => undefined);
    throw error;
  }
}

export async function unplugNic(monitor: QmpMonitor, nic: NicDefinition): Promise<void> {
  if ((await unplugDevice(monitor, `${nic.id}-dev`, `the interface of port ${nic.portId}`)) === 'disconnected') return;
  await qmp.netdevDel(monitor, nic.id);
}
