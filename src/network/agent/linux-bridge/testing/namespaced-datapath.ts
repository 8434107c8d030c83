/**
 * Drives a Linux bridge data path running inside a network namespace (datapath-process.ts): a
 * "host" of a multi-host test. Each call waits for its answer; dispose tears the host's wiring down.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { NetworkSpec, PortSpec, RemotePortSpec, TunnelAddressChange } from '../../datapath-spec.js';
import type { LinuxBridgeOptions } from '../linux-bridge-datapath.js';
import type { DatapathAnswer, DatapathCall, DatapathMethod } from './datapath-process.js';

const SCRIPT = fileURLToPath(new URL('./datapath-process.js', import.meta.url));

export interface NamespacedDatapath {
  ensureNetwork(network: NetworkSpec): Promise<void>;
  deleteNetwork(networkId: string): Promise<void>;
  setTunnelPeers(networkId: string, peers: readonly string[], ports?: readonly RemotePortSpec[]): Promise<void>;
  addTunnelEntries(networkId: string, peers: readonly string[], ports: readonly RemotePortSpec[]): Promise<void>;
  removeTunnelEntries(networkId: string, peers: readonly string[], ports: readonly RemotePortSpec[]): Promise<void>;
  changeTunnelAddresses(networkId: string, change: TunnelAddressChange): Promise<void>;
  plugPort(port: PortSpec): Promise<void>;
  unplugPort(portId: string): Promise<void>;
  /** Tears down what it wired and waits for the process to end. */
  dispose(): Promise<void>;
}

export function namespacedDatapath(namespace: string, options: LinuxBridgeOptions): NamespacedDatapath {
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, SCRIPT, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const reply = JSON.parse(line) as DatapathAnswer;
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error === undefined) waiter?.resolve();
    else waiter?.reject(new Error(`${namespace}: ${reply.error}`));
  });
  const exited = once(child, 'exit');
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error(`the data path in ${namespace} exited`));
    pending.clear();
  });
  const call = (method: DatapathMethod, ...args: unknown[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const request: DatapathCall = { id: nextId++, method, args };
      pending.set(request.id, { resolve, reject });
      child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  return {
    ensureNetwork: (network) => call('ensureNetwork', network),
    deleteNetwork: (networkId) => call('deleteNetwork', networkId),
    setTunnelPeers: (networkId, peers, ports = []) => call('setTunnelPeers', networkId, peers, ports),
    addTunnelEntries: (networkId, peers, ports) => call('addTunnelEntries', networkId, peers, ports),
    removeTunnelEntries: (networkId, peers, ports) => call('removeTunnelEntries', networkId, peers, ports),
    changeTunnelAddresses: (networkId, change) => call('changeTunnelAddresses', networkId, change),
    plugPort: (port) => call('plugPort', port),
    unplugPort: (portId) => call('unplugPort', portId),
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end();
        await exited;
      }
    },
  };
}
