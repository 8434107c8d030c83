/**
 * A Linux bridge data path in its own process, for tests that play several hosts on one machine:
 * started under `ip netns exec <host>` (which also gives it that namespace's /sys), it wires that
 * namespace alone. It reads one JSON call a line on stdin (`{ id, method, args }`), answers one
 * line on stdout (`{ id, error? }`), and tears everything down when stdin closes.
 */
import { createInterface } from 'node:readline';
import type { NetworkSpec, PortSpec, RemotePortSpec, TunnelAddressChange } from '../../datapath-spec.js';
import { LinuxBridgeDatapath, type LinuxBridgeOptions } from '../linux-bridge-datapath.js';

export type DatapathMethod = 'ensureNetwork' | 'deleteNetwork' | 'setTunnelPeers' | 'addTunnelEntries' | 'removeTunnelEntries' | 'changeTunnelAddresses' | 'plugPort' | 'unplugPort';

export interface DatapathCall {
  readonly id: number;
  readonly method: DatapathMethod;
  readonly args: readonly unknown[];
}

export interface DatapathAnswer {
  readonly id: number;
  readonly error?: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as LinuxBridgeOptions;
const datapath = new LinuxBridgeDatapath(options);

// The arguments come as the parent sent them, typed by NamespacedDatapath's signatures.
const methods: Record<DatapathMethod, (args: readonly unknown[]) => Promise<void>> = {
  ensureNetwork: ([network]) => datapath.ensureNetwork(network as NetworkSpec),
  deleteNetwork: ([networkId]) => datapath.deleteNetwork(networkId as string),
  setTunnelPeers: ([networkId, peers, ports]) => datapath.setTunnelPeers(networkId as string, peers as string[], (ports ?? []) as RemotePortSpec[]),
  addTunnelEntries: ([networkId, peers, ports]) => datapath.addTunnelEntries(networkId as string, peers as string[], ports as RemotePortSpec[]),
  removeTunnelEntries: ([networkId, peers, ports]) => datapath.removeTunnelEntries(networkId as string, peers as string[], ports as RemotePortSpec[]),
  changeTunnelAddresses: ([networkId, change]) => datapath.changeTunnelAddresses(networkId as string, change as TunnelAddressChange),
  plugPort: ([port]) => datapath.plugPort(port as PortSpec),
  unplugPort: ([portId]) => datapath.unplugPort(portId as string),
};

async function answer(call: DatapathCall): Promise<DatapathAnswer> {
  try {
    await methods[call.method](call.args);
    return { id: call.id };
  } catch (error) {
    return { id: call.id, error: error instanceof Error ? error.message : String(error) };
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) process.stdout.write(`${JSON.stringify(await answer(JSON.parse(line) as DatapathCall))}\n`);
await datapath.teardown();
