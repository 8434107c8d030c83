import type { Kysely } from 'kysely';
import type { NetworkTables } from '../tables.js';

/** Where a port sits and what it answers to: the columns a network's tunnel entries are made of. */
export interface PortPlacement {
  readonly id: string;
  readonly device_owner: string;
  readonly binding_host_id: string;
  readonly binding_vif_type: string;
  readonly mac_address: string;
}

/**
 * Narrow reads of a network's ports for the agent notifier, which runs after every port change:
 * reading every column of every port of the network there made the cost of a change grow with the
 * network, and the whole of it quadratic in its ports (issue 16).
 */
export class PortPlacementRows {
  constructor(private readonly db: Kysely<NetworkTables>) {}

  /** The network's ports bound with `vifType`, or owned by one of `owners` (those that sit on a host without a binding). */
  async onNetwork(networkId: string, vifType: string, owners: readonly string[]): Promise<PortPlacement[]> {
    return this.db
      .selectFrom('net_ports')
      .select(['id', 'device_owner', 'binding_host_id', 'binding_vif_type', 'mac_address'])
      .where('network_id', '=', networkId)
      .where((eb) => eb.or([eb('binding_vif_type', '=', vifType), ...(owners.length === 0 ? [] : [eb('device_owner', 'in', owners)])]))
      .orderBy('id')
      .execute();
  }

  /** The distinct hosts of the network's ports bound with `vifType`, none owned by one of `except`. */
  async hostsOnNetwork(networkId: string, vifType: string, except: readonly string[]): Promise<string[]> {
    let select = this.db.selectFrom('net_ports').select('binding_host_id').distinct().where('network_id', '=', networkId).where('binding_vif_type', '=', vifType);
    if (except.length > 0) select = select.where('device_owner', 'not in', except);
    return (await select.execute()).map((row) => row.binding_host_id);
  }

  /** Whether a port of the network other than `portIds` is bound to `host` with `vifType`, none owned by one of `except`. */
  async anyOtherOnHost(networkId: string, host: string, vifType: string, portIds: readonly string[], except: readonly string[]): Promise<boolean> {
    let select = this.db.selectFrom('net_ports').select('id').where('network_id', '=', networkId).where('binding_host_id', '=', host).where('binding_vif_type', '=', vifType);
    if (portIds.length > 0) select = select.where('id', 'not in', portIds);
    if (except.length > 0) select = select.where('device_owner', 'not in', except);
    return (await select.limit(1).executeTakeFirst()) !== undefined;
  }

  /** Whether the network has a port owned by one of `owners`, other than `portIds`. */
  async anyOwnedBy(networkId: string, owners: readonly string[], portIds: readonly string[] = []): Promise<boolean> {
    if (owners.length === 0) return false;
    let select = this.db.selectFrom('net_ports').select('id').where('network_id', '=', networkId).where('device_owner', 'in', owners);
    if (portIds.length > 0) select = select.where('id', 'not in', portIds);
    return (await select.limit(1).executeTakeFirst()) !== undefined;
  }

  /** The ids of the network's ports owned by one of `owners`. */
  async idsOwnedBy(networkId: string, owners: readonly string[]): Promise<string[]> {
    if (owners.length === 0) return [];
    return (await this.db.selectFrom('net_ports').select('id').where('network_id', '=', networkId).where('device_owner', 'in', owners).orderBy('id').execute()).map((row) => row.id);
  }
}
