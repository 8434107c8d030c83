import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildQemuArgv } from './build-argv.js';
import { BOOT, DEFINITION_VERSION, MACHINE_TYPE, type VmDefinition, type VmRuntimePaths } from './vm-definition.js';

const PATHS: VmRuntimePaths = {
  qmpSocket: '/s/i/qmp.sock',
  consoleSocket: '/s/i/console.sock',
  vncSocket: '/s/i/vnc.sock',
  consoleLog: '/s/i/console.log',
  pidFile: '/s/i/qemu.pid',
};

const DEFINITION: VmDefinition = {
  version: DEFINITION_VERSION,
  uuid: '3f0b6f1a-3c57-4b8e-9a55-5d1e1f2d0c11',
  name: 'instance-00000001',
  machine: MACHINE_TYPE,
  accelerator: 'tcg',
  vcpus: 1,
  memoryMb: 128,
  localGb: 1,
  disks: [{ id: 'disk0', path: '/s/i/disk', format: 'qcow2', serial: null, readOnly: false }],
  volumes: [],
  nics: [],
  display: 'none',
};

test('a TCG guest with one disk boots from it, serial logged, QMP on its socket', () => {
  assert.deepEqual(buildQemuArgv(DEFINITION, PATHS, BOOT), [
    '-name', 'instance-00000001,debug-threads=on',
    '-uuid', '3f0b6f1a-3c57-4b8e-9a55-5d1e1f2d0c11',
    '-machine', 'pc-i440fx-7.2',
    '-accel', 'tcg,tb-size=32',
    '-smp', '1',
    '-m', '128',
    '-nodefaults',
    '-display', 'none',
    '-no-user-config',
    '-pidfile', '/s/i/qemu.pid',
    '-qmp', 'unix:/s/i/qmp.sock,server=on,wait=off',
    '-chardev', 'socket,id=serial0,path=/s/i/console.sock,server=on,wait=off,logfile=/s/i/console.log,logappend=on',
    '-serial', 'chardev:serial0',
    '-blockdev', 'driver=file,filename=/s/i/disk,node-name=disk0-file',
    '-blockdev', 'driver=qcow2,file=disk0-file,node-name=disk0',
    '-device', 'virtio-blk-pci,drive=disk0,id=disk0-dev,bootindex=0',
  ]);
});

test('KVM passes the host CPU through; more disks follow the boot disk with their serials', () => {
  const argv = buildQemuArgv(
    {
      ...DEFINITION,
      accelerator: 'kvm',
      vcpus: 2,
      disks: [
        { id: 'rescue0', path: '/s/i/disk.rescue', format: 'qcow2', serial: null, readOnly: false },
        { id: 'disk0', path: '/s/i/disk', format: 'qcow2', serial: 'root,disk', readOnly: true },
      ],
    },
    PATHS,
    BOOT,
  );
  const joined = argv.join(' ');
  assert.match(joined, /-accel kvm -cpu host -smp 2 /);
  assert.match(joined, /virtio-blk-pci,drive=rescue0,id=rescue0-dev,bootindex=0 /);
  assert.match(joined, /driver=file,filename=\/s\/i\/disk,node-name=disk0-file,read-only=on /);
  assert.match(joined, /virtio-blk-pci,drive=disk0,id=disk0-dev,serial=root,,disk$/);
});

test('a stable-device rescue disk comes after the disks, NICs and volumes, which keep their order, and is the one booted', () => {
  const volume = { id: 'v0123456789abcdef', path: '/v/volume-1', format: 'raw', serial: '01234567-89ab-cdef-0123-456789abcdef', readOnly: false } as const;
  const argv = buildQemuArgv(
    {
      ...DEFINITION,
      volumes: [{ volumeId: volume.serial, mountpoint: '/dev/vdb', disk: volume }],
      stableRescueDisk: { id: 'rescue0', path: '/s/i/disk.rescue', format: 'qcow2', serial: null, readOnly: false },
    },
    PATHS,
    BOOT,
  );
  const devices = argv.filter((arg) => arg.startsWith('virtio-blk-pci'));
  assert.deepEqual(devices, [
    'virtio-blk-pci,drive=disk0,id=disk0-dev',
    'virtio-blk-pci,drive=v0123456789abcdef,id=v0123456789abcdef-dev,serial=01234567-89ab-cdef-0123-456789abcdef',
    'virtio-blk-pci,drive=rescue0,id=rescue0-dev,bootindex=0',
  ]);
});

test('a multiattach volume is shared for writing (share-rw), so a second guest may open it too', () => {
  const disk = { id: 'v0123456789abcdef', path: '/v/volume-1', format: 'raw', serial: '01234567-89ab-cdef-0123-456789abcdef', readOnly: false, shared: true } as const;
  const argv = buildQemuArgv({ ...DEFINITION, volumes: [{ volumeId: disk.serial, mountpoint: '/dev/vdb', disk }] }, PATHS, BOOT);
  assert.equal(argv.at(-1), 'virtio-blk-pci,drive=v0123456789abcdef,id=v0123456789abcdef-dev,serial=01234567-89ab-cdef-0123-456789abcdef,share-rw=on');
});

test('attached volumes follow the disks, their serial the volume id', () => {
  const disk = { id: 'v0123456789abcdef', path: '/v/volume-1', format: 'raw', serial: '01234567-89ab-cdef-0123-456789abcdef', readOnly: false } as const;
  const argv = buildQemuArgv({ ...DEFINITION, volumes: [{ volumeId: disk.serial, mountpoint: '/dev/vdb', disk }] }, PATHS, BOOT);
  assert.deepEqual(argv.slice(-6), [
    '-blockdev', 'driver=file,filename=/v/volume-1,node-name=v0123456789abcdef-file',
    '-blockdev', 'driver=raw,file=v0123456789abcdef-file,node-name=v0123456789abcdef',
    '-device', 'virtio-blk-pci,drive=v0123456789abcdef,id=v0123456789abcdef-dev,serial=01234567-89ab-cdef-0123-456789abcdef',
  ]);
});

test('a volume on another host is its NBD export, over TLS with the attachment key named by its tls-creds-psk object, and may be the boot disk', () => {
  const disk = {
    id: 'v0123456789abcdef',
    path: 'nbd://10.0.0.5:10809/volume-1',
    nbd: { host: '10.0.0.5', port: 10809, exportName: 'volume-1', psk: { dir: '/r/i/psk-v0123456789abcdef', identity: 'nimbus-ab', key: 'secret' } },
    format: 'raw',
    serial: '01234567-89ab-cdef-0123-456789abcdef',
    readOnly: false,
  } as const;
  const argv = buildQemuArgv({ ...DEFINITION, disks: [disk] }, PATHS, BOOT);
  const at = argv.indexOf('-object');
  assert.deepEqual(argv.slice(at, at + 8), [
    '-object', 'tls-creds-psk,id=v0123456789abcdef-tls,endpoint=client,dir=/r/i/psk-v0123456789abcdef,username=nimbus-ab',
    '-blockdev', 'driver=nbd,server.type=inet,server.host=10.0.0.5,server.port=10809,export=volume-1,reconnect-delay=15,tls-creds=v0123456789abcdef-tls,node-name=v0123456789abcdef-file',
    '-blockdev', 'driver=raw,file=v0123456789abcdef-file,node-name=v0123456789abcdef',
    '-device', 'virtio-blk-pci,drive=v0123456789abcdef,id=v0123456789abcdef-dev,serial=01234567-89ab-cdef-0123-456789abcdef,bootindex=0',
  ]);
  assert.doesNotMatch(argv.join(' '), /secret/, 'the key is read from its file, never on the command line');
});

test('NICs open their host taps by name, after the disks and before the volumes, ids from the port', () => {
  const nic = { id: 'n1c5e0f7a9b2d4e61', portId: '1c5e0f7a-9b2d-4e61-8a3c-0d9f6b7e2a14', mac: 'fa:16:3e:12:34:56', devname: 'tap1c5e0f7a-9b', bridge: 'brq0d9f6b7e-2a', mtu: 1450 };
  const disk = { id: 'v0123456789abcdef', path: '/v/volume-1', format: 'raw', serial: null, readOnly: false } as const;
  const argv = buildQemuArgv({ ...DEFINITION, nics: [nic], volumes: [{ volumeId: 'volume-1', mountpoint: '/dev/vdb', disk }] }, PATHS, BOOT);
  assert.deepEqual(argv.slice(-12, -6), [
    '-device', 'virtio-blk-pci,drive=disk0,id=disk0-dev,bootindex=0',
    '-netdev', 'tap,id=n1c5e0f7a9b2d4e61,ifname=tap1c5e0f7a-9b,script=no,downscript=no',
    '-device', 'virtio-net-pci,netdev=n1c5e0f7a9b2d4e61,mac=fa:16:3e:12:34:56,id=n1c5e0f7a9b2d4e61-dev,host_mtu=1450',
  ]);
  assert.match(argv.slice(-6).join(' '), /^-blockdev driver=file,filename=\/v\/volume-1/);
});

test('an incoming migration starts paused with -incoming last', () => {
  const argv = buildQemuArgv(DEFINITION, PATHS, { incoming: 'exec:cat /s/i/state', startPaused: true });
  assert.deepEqual(argv.slice(-3), ['-S', '-incoming', 'exec:cat /s/i/state']);
});

test('a guest with the vnc display has a VGA card before its disks and VNC on its unix socket only', () => {
  const argv = buildQemuArgv({ ...DEFINITION, display: 'vnc' }, PATHS, BOOT);
  const serial = argv.indexOf('chardev:serial0');
  assert.deepEqual(argv.slice(serial + 1, serial + 5), ['-device', 'VGA,id=video0', '-vnc', 'unix:/s/i/vnc.sock']);
  assert.ok(argv.indexOf('-vnc') < argv.indexOf('-blockdev'));
});
