import { NBD_RECONNECT_DELAY_SECONDS, type DiskDefinition, type NicDefinition, type VmDefinition, type VmLaunch, type VmRuntimePaths } from './vm-definition.js';

/** QEMU's option syntax: commas inside a value are doubled. */
function value(text: string): string {
  return text.replaceAll(',', ',,');
}

/** The protocol layer `<id>-file`: the file, or the NBD export (with its TLS client object first). */
function protocolArgs(disk: DiskDefinition, readOnly: string): string[] {
  const { nbd } = disk;
  if (nbd === undefined) return ['-blockdev', `driver=file,filename=${value(disk.path)},node-name=${disk.id}-file${readOnly}`];
  const server = `server.type=inet,server.host=${value(nbd.host)},server.port=${nbd.port},export=${value(nbd.exportName)},reconnect-delay=${NBD_RECONNECT_DELAY_SECONDS}`;
  if (nbd.psk === null) return ['-blockdev', `driver=nbd,${server},node-name=${disk.id}-file${readOnly}`];
  return [
    '-object',
    `tls-creds-psk,id=${disk.id}-tls,endpoint=client,dir=${value(nbd.psk.dir)},username=${value(nbd.psk.identity)}`,
    '-blockdev',
    `driver=nbd,${server},tls-creds=${disk.id}-tls,node-name=${disk.id}-file${readOnly}`,
  ];
}

function diskArgs(disk: DiskDefinition, boots: boolean): string[] {
  const readOnly = disk.readOnly ? ',read-only=on' : '';
  return [
    ...protocolArgs(disk, readOnly),
    '-blockdev',
    `driver=${disk.format},file=${disk.id}-file,node-name=${disk.id}${readOnly}`,
    '-device',
    `virtio-blk-pci,drive=${disk.id},id=${disk.id}-dev${disk.serial === null ? '' : `,serial=${value(disk.serial)}`}${disk.shared === true ? ',share-rw=on' : ''}${boots ? ',bootindex=0' : ''}`,
  ];
}

/** A tap the host plugged beforehand (script=no: QEMU only opens it); host_mtu tells the guest the port's MTU. */
function nicArgs(nic: NicDefinition): string[] {
  return [
    '-netdev',
    `tap,id=${nic.id},ifname=${value(nic.devname)},script=no,downscript=no`,
    '-device',
    `virtio-net-pci,netdev=${nic.id},mac=${nic.mac},id=${nic.id}-dev,host_mtu=${nic.mtu}`,
  ];
}

/** A VGA card (the first PCI device after the host bridge) served by VNC on a unix socket only: no TCP port, no password; the console proxy's token guards it. */
function displayArgs(definition: VmDefinition, paths: VmRuntimePaths): string[] {
  if (definition.display === 'none') return [];
  return ['-device', 'VGA,id=video0', '-vnc', `unix:${value(paths.vncSocket)}`];
}

/**
 * The QEMU command line for a definition: a pure function, so what runs is exactly what the
 * definition says. No defaults devices, no local display (VNC where defined); serial on a socket that also logs to the
 * console log; QMP on a unix socket; the guest's power-off ends the process (no -no-shutdown:
 * a guest that shut itself down reads SHUTDOWN because its QEMU is gone).
 */
export function buildQemuArgv(definition: VmDefinition, paths: VmRuntimePaths, launch: VmLaunch): string[] {
  // TCG's default 1 GiB code buffer reservation touches ~50 MB; 32 MB is plenty for small guests.
  const accel = definition.accelerator === 'kvm' ? 'kvm' : 'tcg,tb-size=32';
  return [
    '-name',
    `${value(definition.name)},debug-threads=on`,
    '-uuid',
    definition.uuid,
    '-machine',
    definition.machine,
    '-accel',
    accel,
    ...(definition.accelerator === 'kvm' ? ['-cpu', 'host'] : []),
    '-smp',
    String(definition.vcpus),
    '-m',
    String(definition.memoryMb),
    '-nodefaults',
    '-display',
    'none',
    '-no-user-config',
    '-pidfile',
    paths.pidFile,
    '-qmp',
    `unix:${value(paths.qmpSocket)},server=on,wait=off`,
    '-chardev',
    `socket,id=serial0,path=${value(paths.consoleSocket)},server=on,wait=off,logfile=${value(paths.consoleLog)},logappend=on`,
    '-serial',
    'chardev:serial0',
    ...displayArgs(definition, paths),
    ...definition.disks.flatMap((disk, index) => diskArgs(disk, index === 0 && definition.stableRescueDisk === undefined)),
    // NICs before volumes: a hot-plugged volume takes the next free PCI slot, which a restart or a
    // migration's destination must give it too.
    ...definition.nics.flatMap(nicArgs),
    ...definition.volumes.flatMap((volume) => diskArgs(volume.disk, false)),
    ...(definition.stableRescueDisk === undefined ? [] : diskArgs(definition.stableRescueDisk, true)),
    ...(launch.startPaused ? ['-S'] : []),
    ...(launch.incoming === null ? [] : ['-incoming', launch.incoming]),
  ];
}
