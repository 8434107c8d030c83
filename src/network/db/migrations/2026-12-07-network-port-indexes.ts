import type { Kysely } from 'kysely';

/**
 * Indexes for the port queries the agents' server side runs on every change and every resync.
 * A network's ports are already found by the unique key (network_id, mac_address), whose first
 * column serves `network_id = ?` on all three engines, so network_id gets no index of its own.
 * (network_id, device_owner) is Neutron's ix_ports_network_id_device_owner: a network's DHCP port
 * and router ends are found without reading its other ports. binding_host_id is what an agent's
 * resync (get_host_state) reads its hosts' ports by.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('net_ports_network_owner_idx').on('net_ports').columns(['network_id', 'device_owner']).execute();
  await db.schema.createIndex('net_ports_binding_host_idx').on('net_ports').column('binding_host_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('net_ports_binding_host_idx').on('net_ports').execute();
  await db.schema.dropIndex('net_ports_network_owner_idx').on('net_ports').execute();
}
