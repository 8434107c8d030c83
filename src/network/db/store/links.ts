import type { Kysely, Selectable } from 'kysely';
import type { IpAllocationsTable, NetworkTables, RouterPortsTable } from '../tables.js';

export type IpAllocation = Selectable<IpAllocationsTable>;
export type RouterPort = Selectable<RouterPortsTable>;

/** Fixed IPs: which port holds which address of which subnet. */
export class IpAllocationRows {
  constructor(private readonly db: Kysely<NetworkTables>) {}

  /** Fails with a unique violation when the address is taken on the network: the race's arbiter. */
  async insert(allocation: IpAllocation): Promise<void> {
    await this.db.insertInto('net_ip_allocations').values(allocation).execute();
  }

  async ofPorts(portIds: readonly string[]): Promise<IpAllocation[]> {
    if (portIds.length === 0) return [];
    return this.db.selectFrom('net_ip_allocations').selectAll().where('port_id', 'in', portIds).orderBy('port_id').orderBy('ip_address').execute();
  }

  async ofSubnet(subnetId: string): Promise<IpAllocation[]> {
    return this.db.selectFrom('net_ip_allocations').selectAll().where('subnet_id', '=', subnetId).execute();
  }

  async find(networkId: string, ipAddress: string): Promise<IpAllocation | undefined> {
    return this.db.selectFrom('net_ip_allocations').selectAll().where('network_id', '=', networkId).where('ip_address', '=', ipAddress).executeTakeFirst();
  }

  async deleteOfPort(portId: string, ipAddresses?: readonly string[]): Promise<void> {
    let statement = this.db.deleteFrom('net_ip_allocations').where('port_id', '=', portId);
    if (ipAddresses !== undefined) {
      if (ipAddresses.length === 0) return;
      statement = statement.where('ip_address', 'in', ipAddresses);
    }
    await statement.execute();
  }
}

/** Vlan and vxlan ids taken by networks. */
export class SegmentAllocationRows {
  constructor(private readonly db: Kysely<NetworkTables>) {}

  async taken(networkType: string, physicalNetwork: string): Promise<number[]> {
    const rows = await this.db
      .selectFrom('net_segment_allocations')
      .select('segmentation_id')
      .where('network_type', '=', networkType)
      .where('physical_network', '=', physicalNetwork)
      .execute();
    return rows.map((row) => row.segmentation_id);
  }

  /** Fails with a unique violation when another network holds the id. */
  async insert(networkType: string, physicalNetwork: string, segmentationId: number, networkId: string): Promise<void> {
    await this.db
      .insertInto('net_segment_allocations')
      .values({ network_type: networkType, physical_network: physicalNetwork, segmentation_id: segmentationId, network_id: networkId })
      .execute();
  }

  async release(networkId: string): Promise<void> {
    await this.db.deleteFrom('net_segment_allocations').where('network_id', '=', networkId).execute();
  }
}

/** Which security groups each port is in. */
export class PortSecurityGroupRows {
  constructor(private readonly db: Kysely<NetworkTables>) {}

  async ofPorts(portIds: readonly string[]): Promise<{ port_id: string; security_group_id: string }[]> {
    if (portIds.length === 0) return [];
    return this.db.selectFrom('net_port_security_groups').selectAll().where('port_id', 'in', portIds).orderBy('security_group_id').execute();
  }

  /**
   * The ports of `deviceIds` (of one project, when given) with what policy reads of them, one row
   * per port and group (a port in none: one row, its group null), by port then group.
   */
  async ofDevices(
    projectId: string | undefined,
    deviceIds: readonly string[],
  ): Promise<{ id: string; network_id: string; project_id: string; device_id: string; security_group_id: string | null }[]> {
    if (deviceIds.length === 0) return [];
    let select = this.db
      .selectFrom('net_ports')
      .leftJoin('net_port_security_groups', 'net_port_security_groups.port_id', 'net_ports.id')
      .select(['net_ports.id', 'net_ports.network_id', 'net_ports.project_id', 'net_ports.device_id', 'net_port_security_groups.security_group_id'])
      .where('net_ports.device_id', 'in', deviceIds);
    if (projectId !== undefined) select = select.where('net_ports.project_id', '=', projectId);
    return select.orderBy('net_ports.id').orderBy('net_port_security_groups.security_group_id').execute();
  }

  async set(portId: string, groupIds: readonly string[]): Promise<void> {
    await this.db.deleteFrom('net_port_security_groups').where('port_id', '=', portId).execute();
    if (groupIds.length === 0) return;
    await this.db
      .insertInto('net_port_security_groups')
      .values(groupIds.map((id) => ({ port_id: portId, security_group_id: id })))
      .execute();
  }

  async portIdsInGroups(groupIds: readonly string[]): Promise<string[]> {
    if (groupIds.length === 0) return [];
    const rows = await this.db.selectFrom('net_port_security_groups').select('port_id').distinct().where('security_group_id', 'in', groupIds).execute();
    return rows.map((row) => row.port_id);
  }

  async portsInGroup(groupId: string): Promise<number> {
    const row = await this.db
      .selectFrom('net_port_security_groups')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('security_group_id', '=', groupId)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}

/** The project's `default` security group. */
export class DefaultSecurityGroupRows {
  constructor(private readonly db: Kysely<NetworkTables>) {}

  async find(projectId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('net_default_security_groups').select('security_group_id').where('project_id', '=', projectId).executeTakeFirst();
    return row?.security_group_id;
  }

  /** Fails with a unique violation when a concurrent request made the project's default first. */
  async insert(projectId: string, groupId: string): Promise<void> {
    await this.db.insertInto('net_default_security_groups').values({ project_id: projectId, security_group_id: groupId }).execute();
  }

  async deleteGroup(groupId: string): Promise<void> {
    await this.db.deleteFrom('net_default_security_groups').where('security_group_id', '=', groupId).execute();
  }
}

/** The ports a router owns. */
export class RouterPortRows {
  constructor(private readonly db: Kysely<NetworkTables>) {}

  async insert(routerPort: RouterPort): Promise<void> {
    await this.db.insertInto('net_router_ports').values(routerPort).execute();
  }

  async ofRouter(routerId: string): Promise<RouterPort[]> {
    return this.db.selectFrom('net_router_ports').selectAll().where('router_id', '=', routerId).orderBy('port_id').execute();
  }

  async ofPort(portId: string): Promise<RouterPort | undefined> {
    return this.db.selectFrom('net_router_ports').selectAll().where('port_id', '=', portId).executeTakeFirst();
  }

  async delete(portId: string): Promise<void> {
    await this.db.deleteFrom('net_router_ports').where('port_id', '=', portId).execute();
  }
}
