import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildQemuArgv } from './argv/build-argv.js';
import { BOOT, DEFINITION_VERSION } from './argv/vm-definition.js';
import { nicDefinition } from './instance-definition.js';
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
