import { test } from 'node:test';
import { runDriverContract } from '../driver.contract.test.js';
import { QEMU_SKIP, qemuHarness } from './testing/qemu-harness.js';

const SHARED_STORAGE_LIVE_MIGRATION = 'live migration moves the running guest to the destination';

if (QEMU_SKIP === false) {
  runDriverContract({
    name: 'qemu',
    create: qemuHarness,
    skip: [{ test: SHARED_STORAGE_LIVE_MIGRATION, reason: 'these hosts have storage of their own: the run on shared storage below covers it' }],
  });
  runDriverContract({
    name: 'qemu on shared instance storage',
    create: async () => {
      const harness = await qemuHarness();
      return { ...harness, peer: harness.sharedPeer };
    },
    only: [SHARED_STORAGE_LIVE_MIGRATION],
  });
} else {
  test('virt driver contract: qemu', { skip: QEMU_SKIP }, () => undefined);
}
