/**
 * The network data path choice: what a network agent of this process wires with. The one place
 * that picks one; the agent is handed a Datapath.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NimbusConfig } from '../../common/config/options.js';
import type { Datapath } from '../../network/agent/datapath.js';
import { FakeDatapath } from '../../network/agent/fake/fake-datapath.js';
import { LinuxBridgeDatapath } from '../../network/agent/linux-bridge/linux-bridge-datapath.js';
import { deleteLink, ensureBridge } from '../../network/agent/linux-bridge/links.js';
import { parseBridgeMappings, parseInterfaceMappings, type BridgeMappings, type InterfaceMappings } from '../../network/agent/linux-bridge/physical.js';
import type { DriverName } from './drivers.js';

export type DatapathName = 'linux-bridge' | 'fake';

export interface ChosenDatapath {
  readonly name: DatapathName;
  readonly datapath: Datapath;
  /** Makes the bridges the data path owns (the all-in-one's external bridge) before the agent starts, where the host can wire. */
  readonly prepare: () => Promise<void>;
  /** Removes everything it wired (the all-in-one stopping). */
  readonly teardown: () => Promise<void>;
  /** The bridge mappings the agent uses and reports: `[linux_bridge] bridge_mappings` and the owned bridges. */
  readonly bridgeMappings: BridgeMappings;
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

/** DevStack's physical network of `public` (network-topology.ts). */
const PUBLIC_PHYSICAL_NETWORK = 'public';

/**
 * The all-in-one's external bridge for `public`, as DevStack's br-ex with `bridge_mappings =
 * public:br-ex`: Neutron binds a flat network's ports only on hosts that map its physical
 * network, so the all-in-one's agent maps `public` to a bridge of its own unless the operator
 * mapped it. One per cloud (named from the state dir, as several clouds share a machine's
 * bridges): made when the agent starts, removed with the data path.
 */
export function allInOneBridges(config: NimbusConfig): BridgeMappings {
  if (Object.hasOwn(interfaceMappingsOf(config), PUBLIC_PHYSICAL_NETWORK) || Object.hasOwn(bridgeMappingsOf(config), PUBLIC_PHYSICAL_NETWORK)) return {};
  return { [PUBLIC_PHYSICAL_NETWORK]: externalBridgeName(config.DEFAULT.state_dir) };
}

/** The all-in-one's external bridge of the cloud with this state dir: `brx` and 11 hex digits of its hash (15 characters at most, as every interface name). */
export function externalBridgeName(stateDir: string): string {
  return `brx${createHash('sha256').update(stateDir).digest('hex').slice(0, 11)}`;
}

/** The data path `name`; `ownBridges` (physical network → bridge) it makes and removes itself, and maps as bridge_mappings. */
export function createDatapath(config: NimbusConfig, name: DatapathName, ownBridges: BridgeMappings = {}): ChosenDatapath {
  const bridgeMappings = { ...bridgeMappingsOf(config), ...ownBridges };
  if (name === 'fake') {
    const datapath = new FakeDatapath({ metadata: config.network.enable_isolated_metadata, forceMetadata: config.network.force_metadata });
    return { name, datapath, prepare: async () => undefined, teardown: async () => undefined, bridgeMappings, heldFile: undefined, tunnelIp: undefined };
  }
  const { datapath_state_dir: stateDir, nft_table: nftTable, uplink, enable_isolated_metadata: metadata, force_metadata: forceMetadata, local_ip: localIp, arp_responder: arpResponder } = config.network;
  const datapath = new LinuxBridgeDatapath({
    stateDir,
    nftTable,
    arpResponder,
    physicalInterfaceMappings: interfaceMappingsOf(config),
    bridgeMappings,
    ...(uplink === '' ? {} : { uplink }),
    ...(localIp === '' ? {} : { localIp }),
    ...(metadata ? { metadataProxySocket: config.DEFAULT.metadata_proxy_socket, forceMetadata } : {}),
  });
  return {
    name,
    datapath,
    async prepare() {
      // A host that cannot wire (no CAP_NET_ADMIN) makes nothing: its agent reports itself down with the reason.
      if (!(await datapath.checkAvailable()).available) return;
      for (const bridge of Object.values(ownBridges)) await ensureBridge(bridge, config.network.global_physnet_mtu);
    },
    async teardown() {
      await datapath.teardown();
      for (const bridge of Object.values(ownBridges)) await deleteLink(bridge);
      await rm(stateDir, { recursive: true, force: true });
    },
    bridgeMappings,
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
