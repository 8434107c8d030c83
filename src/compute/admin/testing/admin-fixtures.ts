/** Test-only: the hosts the admin API tests list, update and page over. */
import { toDbTimestamp } from '../../../common/db/timestamps.js';
import type { Harness } from '../../testing/compute-test-app.js';
import type { ComputeTables } from '../../db/tables.js';

/** Node uuids of compute-1 and compute-2, in their id order. */
export const NODE_UUIDS = ['5e0a1f3c-0b6f-4d1e-8f3a-000000000001', '5e0a1f3c-0b6f-4d1e-8f3a-000000000002'] as const;
/** What the fake driver reports, as the driver's JSON text. */
export const CPU_INFO = { arch: 'x86_64', model: 'fake', vendor: 'nimbus', topology: { cores: 8, sockets: 1, threads: 1 }, features: [] };

/** Two compute hosts with nodes (compute-1; compute-2 with no host IP or disk estimate yet), a conductor and a scheduler on `controller`. */
export async function seedHosts({ registry, db }: Pick<Harness, 'registry' | 'db'>): Promise<void> {
  for (const binary of ['nova-conductor', 'nova-scheduler']) await registry.register({ binary, host: 'controller', topic: binary.slice(5) });
  const now = toDbTimestamp(new Date());
  for (const [index, host] of ['compute-1', 'compute-2'].entries()) {
    await registry.register({ binary: 'nova-compute', host, topic: 'compute' });
    await db.kysely
      .withTables<ComputeTables>()
      .insertInto('compute_nodes')
      .values({
        uuid: NODE_UUIDS[index] ?? '', host, hypervisor_hostname: host, host_ip: index === 0 ? '127.0.0.1' : null, vcpus: 8, memory_mb: 16384, local_gb: 100, vcpus_used: 1,
        memory_mb_used: 512, local_gb_used: 1, running_vms: 0, disk_available_least: index === 0 ? 99 : null, hypervisor_type: 'fake', hypervisor_version: 1000,
        cpu_info: JSON.stringify(CPU_INFO), capabilities: '{}', cpu_allocation_ratio: 16, ram_allocation_ratio: 1.5, disk_allocation_ratio: 1, created_at: now, updated_at: now,
      })
      .execute();
  }
}
