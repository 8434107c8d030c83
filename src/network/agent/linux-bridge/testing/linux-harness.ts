/** A Linux bridge data path for one test: its own nftables table and state directory, and everything removed after, even on failure. */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLinuxBridgeAvailable } from '../availability.js';
import { LinuxBridgeDatapath, type LinuxBridgeOptions } from '../linux-bridge-datapath.js';

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

/** A data path of a test's own (tables, state dir), with `options` such as bridge_mappings. */
export async function linuxHarness(options: Pick<LinuxBridgeOptions, 'bridgeMappings'> = {}): Promise<LinuxHarness> {
  const table = `nimbus_t${randomBytes(4).toString('hex')}`;
  const stateDir = await mkdtemp(join(tmpdir(), 'nimbus-datapath-'));
  // dnsmasq reads its files after dropping to nobody.
  await chmod(stateDir, 0o755);
  // Metadata proxies run (to a socket nothing listens on unless the test starts an agent there).
  const datapath = new LinuxBridgeDatapath({ ...options, stateDir, nftTable: table, metadataProxySocket: metadataSocketIn(stateDir) });
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
