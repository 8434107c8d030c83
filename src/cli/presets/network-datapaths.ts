/**
 * The network data path choice: what a network agent of this process wires with. The one place
 * that picks one; the agent is handed a Datapath.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { NimbusConfig } from '../../common/config/options.js';
import type { Datapath } from '../../network/agent/datapath.js';
import { FakeDatapath } from '../../network/agent/fake/fake-datapath.js';
import { LinuxBridgeDatapath } from '../../network/agent/linux-bridge/linux-bridge-datapath.js';
import type { DriverName } from './drivers.js';

export type DatapathName = 'linux-bridge' | 'fake';

export interface ChosenDatapath {
  readonly name: DatapathName;
  readonly datapath: Datapath;
  /** Removes everything it wired (the all-in-one stopping). */
  readonly teardown: () => Promise<void>;
  /** Networks an earlier run left wired: their DHCP state dirs. */
  readonly leftNetworks: () => Promise<readonly string[]>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `[network] datapath`: auto follows the compute driver (fake guests get a fake data path, real ones real networking). */
export function datapathNameOf(config: NimbusConfig, computeDriver: DriverName | undefined): DatapathName {
  const choice = config.network.datapath;
  if (choice !== 'auto') return choice;
  return computeDriver === 'fake' ? 'fake' : 'linux-bridge';
}

export function createDatapath(config: NimbusConfig, name: DatapathName): ChosenDatapath {
  if (name === 'fake') {
    return { name, datapath: new FakeDatapath(), teardown: async () => undefined, leftNetworks: async () => [] };
  }
  const { datapath_state_dir: stateDir, nft_table: nftTable, uplink } = config.network;
  const datapath = new LinuxBridgeDatapath({ stateDir, nftTable, ...(uplink === '' ? {} : { uplink }) });
  return {
    name,
    datapath,
    teardown: () => datapath.teardown(),
    leftNetworks: async () => (await readdir(join(stateDir, 'dhcp')).catch(() => [])).filter((entry) => UUID.test(entry)),
  };
}
