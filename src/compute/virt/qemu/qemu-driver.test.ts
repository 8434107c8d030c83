import { test } from 'node:test';
import { runDriverContract } from '../driver.contract.test.js';
import { QEMU_SKIP, qemuHarness } from './testing/qemu-harness.js';

const NO_SHARED_STORAGE = 'the contract runs on hosts with storage of their own (block migration); shared-storage.test.ts migrates on shared storage';

if (QEMU_SKIP === false) {
  runDriverContract({
    name: 'qemu',
    create: qemuHarness,
    skip: [
      { test: 'live migration moves the running guest to the destination', reason: NO_SHARED_STORAGE },
    ],
  });
} else {
  test('virt driver contract: qemu', { skip: QEMU_SKIP }, () => undefined);
}
