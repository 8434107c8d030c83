import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildQemuArgv } from './argv/build-argv.js';
import { BOOT, DEFINITION_VERSION } from './argv/vm-definition.js';
import type { InstanceSpec } from '../instance-spec.js';
import { instanceDefinition, nicDefinition } from './instance-definition.js';
import { InstanceDir, readDefinition } from './instance/instance-dir.js';

const PORT = {
  id: '5c4e1a9b-0d2f-4c6e-9a7b-3e8f1d2c4b6a',
  networkId: '0d9f6b7e-2a14-4c1e-8b3a-6f5e4d3c2b1a',
  mac: 'fa:16:3e:00:02:0b',
  bridge: 'brq0d9f6b7e-2a',
  devname: 'tap5c4e1a9b-0d',
  mtu: 1450,
  fixedIps: [],
} as const;

test('a port becomes a NIC whose ids come from the port id, so they stay when other ports come and go', () => {
  assert.deepEqual(nicDefinition(PORT), { id: 'n5c4e1a9b0d2f4c6e', portId: PORT.id, mac: PORT.mac, devname: PORT.devname, bridge: PORT.bridge, mtu: 1450 });
  assert.equal(nicDefinition({ ...PORT, id: 'port_1' }).id, 'nport1');
});

test('a definition written before guests had NICs or screens reads as one without either', async () => {
  const root = await mkdtemp(join(tmpdir(), 'nimbus-definition-'));
  try {
    const path = join(root, 'definition.json');
    const old = { version: DEFINITION_VERSION, uuid: 'u', name: 'instance-00000001', machine: 'pc-i440fx-7.2', accelerator: 'tcg', vcpus: 1, memoryMb: 128, localGb: 1, disks: [], volumes: [] };
    await writeFile(path, JSON.stringify(old));
    const definition = await readDefinition(path);
    assert.deepEqual(definition?.nics, []);
    assert.equal(definition?.display, 'none');
    const dir = new InstanceDir({ instances: root, runtime: root }, 'u');
    const argv = buildQemuArgv(definition ?? assert.fail(), dir, BOOT);
    assert.ok(!argv.includes('-netdev'));
    // Its saved state or migration stream has no VGA card: the machine must not grow one.
    assert.ok(!argv.includes('-vnc') && !argv.includes('VGA,id=video0'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a volume-backed guest boots from its volume as vda: the first disk, with the volume id as serial and bootindex 0; no local root disk is counted', () => {
  const uuid = '2b7c1d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
  const rootVolumeId = '7d1f0c2e-3b4a-4c5d-9e6f-a0b1c2d3e4f5';
  const dataVolumeId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
  const instance: InstanceSpec = {
    uuid,
    name: 'instance-2b7c1d3e',
    hostname: 'bfv',
    displayName: 'bfv',
    projectId: 'p1',
    launchIndex: 0,
    availabilityZone: 'nova',
    flavor: { id: '1', name: 'm1.tiny', vcpus: 1, memoryMb: 128, rootGb: 1, ephemeralGb: 0, swapMb: 0, extraSpecs: {} },
    image: { id: '', name: '', diskFormat: 'raw', containerFormat: 'bare', minDiskGb: 0, minRamMb: 0, properties: {} },
    userData: null,
    keyName: null,
    keyData: null,
    configDrive: false,
    metadata: {},
    network: [],
    blockDevices: {
      rootDeviceName: '/dev/vda',
      rootVolume: { volumeId: rootVolumeId, mountpoint: '/dev/vda', connection: { driverVolumeType: 'file', path: '/srv/volumes/root' } },
      volumes: [{ volumeId: dataVolumeId, mountpoint: '/dev/vdb', connection: { driverVolumeType: 'file', path: '/srv/volumes/data' } }],
    },
  };
  const dir = new InstanceDir({ instances: '/srv/instances', runtime: '/run/nimbus' }, uuid);
  const definition = instanceDefinition(instance, dir, 'tcg');
  assert.deepEqual(definition.disks, [{ id: 'v7d1f0c2e3b4a4c5d', path: '/srv/volumes/root', format: 'raw', serial: rootVolumeId, readOnly: false }]);
  assert.deepEqual(definition.volumes.map((volume) => volume.volumeId), [dataVolumeId]);
  assert.equal(definition.localGb, 0);
  const argv = buildQemuArgv(definition, dir, BOOT).join(' ');
  assert.match(argv, new RegExp(`virtio-blk-pci,drive=v7d1f0c2e3b4a4c5d,id=v7d1f0c2e3b4a4c5d-dev,serial=${rootVolumeId},bootindex=0`));
  assert.ok(!argv.includes(dir.rootDisk), 'no image overlay');
});
