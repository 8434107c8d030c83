/** A Linux bridge data path for one test: its own nftables table and state directory, and everything removed after, even on failure. */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLinuxBridgeAvailable } from '../availability.js';
import { LinuxBridgeDatapath } from '../linux-bridge-datapath.js';

/** Why the Linux data path's tests are skipped here, or false where they run. */
export async function linuxBridgeSkip(): Promise<string | false> {
  const availability = await checkLinuxBridgeAvailable({ metadata: true });
  if (!availability.available) return availability.reason;
  return false;
}

/** The metadata agent's socket a harness's proxies forward to. */
export const metadataSocketIn = (stateDir: string): string => join(stateDir, 'metadata_proxy');

export interface LinuxHarness {
  readonly datapath: LinuxBridgeDatapath;
  readonly table: string;
  readonly stateDir: string;
  dispose(): Promise<void>;
}

export async function linuxHarness(): Promise<LinuxHarness> {
  const table = `nimbus_t${randomBytes(4).toString('hex')}`;
  const stateDir = await mkdtemp(join(tmpdir(), 'nimbus-datapath-'));
  // dnsmasq reads its files after dropping to nobody.
  await chmod(stateDir, 0o755);
  // Metadata proxies run (to a socket nothing listens on unless the test starts an agent there).
  const datapath = new LinuxBridgeDatapath({ stateDir, nftTable: table, metadataProxySocket: metadataSocketIn(stateDir) });
  return {
    datapath,
    table,
    stateDir,
    async dispose() {
      await datapath.teardown();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
