/**
 * The port each network's DHCP server answers from (device_owner `network:dhcp`, as Neutron's
 * DHCP agent asks the server for one): made when a subnet first serves DHCP, given an address on
 * each DHCP subnet added later, removed when none serves DHCP any more. Changes to one network
 * are serialised, so two agents asking at once get the same port.
 */
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { NetworkStore } from '../db/network-store.js';
import type { ResourceRow } from '../db/store/resource-rows.js';
import { withIpamRetry } from '../ipam/ip-allocator.js';
import type { PortPlugin } from '../plugin/ports.js';
import { DHCP_OWNER, type DhcpPortKeeper } from './host-state.js';

const LOG = getLogger('nimbus.network.dhcp_ports');

export function dhcpPortKeeper(store: NetworkStore, ports: PortPlugin): DhcpPortKeeper {
  const queues = new Map<string, Promise<unknown>>();
  const keep = async (networkId: string, dhcpSubnets: readonly string[]): Promise<ResourceRow<'net_ports'> | undefined> => {
    // Only the DHCP port is read (by the (network_id, device_owner) index), not every port of the network.
    const [existingId] = await store.portPlacements.idsOwnedBy(networkId, [DHCP_OWNER]);
    const existing = existingId === undefined ? undefined : await store.ports.find(existingId);
    if (dhcpSubnets.length === 0) {
      if (existing !== undefined) await store.transaction((trx) => ports.remove(trx, existing.id));
      return undefined;
    }
    try {
      if (existing === undefined) {
        const network = await store.networks.find(networkId);
        if (network === undefined) return undefined;
        const id = await withIpamRetry(store, (trx) =>
          ports.insert(trx, network.project_id, { network_id: networkId, device_owner: DHCP_OWNER, device_id: `dhcp-${networkId}`, fixed_ips: dhcpSubnets.map((subnet_id) => ({ subnet_id })) }, undefined),
        );
        return store.ports.find(id);
      }
      const held = new Set((await store.ipAllocations.ofPorts([existing.id])).map((row) => row.subnet_id));
      const missing = dhcpSubnets.filter((subnet) => !held.has(subnet));
      if (missing.length > 0) {
        const current = (await store.ipAllocations.ofPorts([existing.id])).map((row) => ({ subnet_id: row.subnet_id, ip_address: row.ip_address }));
        await ports.update(existing.id, { fixed_ips: [...current, ...missing.map((subnet_id) => ({ subnet_id }))] });
      }
      return store.ports.find(existing.id);
    } catch (error) {
      // A full subnet (or the owner's port quota) leaves the network without DHCP rather than unwired.
      LOG.warning(`Network ${networkId} gets no DHCP port: ${messageOf(error)}`);
      return existing;
    }
  };
  return (networkId, dhcpSubnets) => {
    const run = (queues.get(networkId) ?? Promise.resolve()).then(() => keep(networkId, dhcpSubnets));
    const settled = run.catch(() => undefined);
    queues.set(networkId, settled);
    void settled.then(() => {
      if (queues.get(networkId) === settled) queues.delete(networkId);
    });
    return run;
  };
}
