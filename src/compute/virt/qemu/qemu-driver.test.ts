import { describeComputeDriverContract } from '../driver.contract.js';
import { QEMU_SKIP, qemuHarness } from './testing/qemu-harness.js';

const SHARED_STORAGE_LIVE_MIGRATION = 'live migration moves the running guest to the destination';

describeComputeDriverContract('qemu', qemuHarness, {
  unavailable: QEMU_SKIP,
  skips: [{ test: SHARED_STORAGE_LIVE_MIGRATION, reason: 'these hosts have storage of their own: the run on shared storage below covers it' }],
});
describeComputeDriverContract(
  'qemu on shared instance storage',
  async () => {
    const harness = await qemuHarness();
    return { ...harness, peer: harness.sharedPeer };
  },
  { unavailable: QEMU_SKIP, only: [SHARED_STORAGE_LIVE_MIGRATION] },
);
