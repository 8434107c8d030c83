/**
 * The network data path choice: what a network agent of this process wires with. The one place
 * that picks one; the agent is handed a Datapath.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NimbusConfig } from '../../common/config/options.js';
import type { Datapath } from '../../network/agent/datapath.js';
import { FakeDatapath } from '../../network/agent/fake/fake-datapath.js';
import { LinuxBridgeDatapath } from '../../network/agent/linux-bridge/linux-bridge-datapath.js';
import { parseBridgeMappings, parseInterfaceMappings, type BridgeMappings, type InterfaceMappings } from '../../network/agent/linux-bridge/physical.js';
import type { DriverName } from './drivers.js';

export type DatapathName = 'linux-bridge' | 'fake';

export interface ChosenDatapath {
  readonly name: DatapathName;
  readonly datapath: Datapath;
  /** Removes everything it wired (the all-in-one stopping). */
  readonly teardown: () => Promise<void>;
  /** The tunnel endpoint the agent reports (`[network] local_ip`); none for the fake data path, which sends nothing. */
  readonly tunnelIp: string | undefined;
  /** Where the agent records what it wired (none for the fake data path, which forgets with the process). */
  readonly heldFile: string | undefined;
}

/** `[network] datapath`: auto follows the compute driver (fake guests get a fake data path, real ones real networking). */
export function datapathNameOf(config: NimbusConfig, computeDriver: DriverName | undefined): DatapathName {
  const choice = config.network.datapath;
  if (choice !== 'auto') return choice;
  return computeDriver === 'fake' ? 'fake' : 'linux-bridge';
}

export function createDatapath(config: NimbusConfig, name: DatapathName): ChosenDatapath {
  if (name === 'fake') {
    return { name, datapath: new FakeDatapath({ metadata: config.network.enable_isolated_metadata, forceMetadata: config.network.force_metadata }), teardown: async () => undefined, heldFile: undefined, tunnelIp: undefined };
  }
  const { datapath_state_dir: stateDir, nft_table: nftTable, uplink, enable_isolated_metadata: metadata, force_metadata: forceMetadata, local_ip: localIp, arp_responder: arpResponder } = config.network;
  const datapath = new LinuxBridgeDatapath({
    stateDir,
    nftTable,
    arpResponder,
    physicalInterfaceMappings: interfaceMappingsOf(config),
    bridgeMappings: bridgeMappingsOf(config),
    ...(uplink === '' ? {} : { uplink }),
    ...(localIp === '' ? {} : { localIp }),
    ...(metadata ? { metadataProxySocket: config.DEFAULT.metadata_proxy_socket, forceMetadata } : {}),
  });
  return {
    name,
    datapath,
    async teardown() {
      await datapath.teardown();
      await rm(stateDir, { recursive: true, force: true });
    },
    heldFile: join(stateDir, 'agent-held.json'),
    tunnelIp: localIp === '' ? undefined : localIp,
  };
}

/** `[linux_bridge] physical_interface_mappings`, which the agent also reports (`interface_mappings`). */
export function interfaceMappingsOf(config: NimbusConfig): InterfaceMappings {
  return parseInterfaceMappings(config.linux_bridge.physical_interface_mappings);
}

/** `[linux_bridge] bridge_mappings`, which the agent also reports. */
export function bridgeMappingsOf(config: NimbusConfig): BridgeMappings {
  return parseBridgeMappings(config.linux_bridge.bridge_mappings);
}
