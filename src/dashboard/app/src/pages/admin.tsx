import { call, HYPERVISOR_USAGE_MICROVERSION, listFlavors } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { DataTable } from '../components/data-table.js';
import { useLoad } from '../components/load.js';
import { StatusBadge } from '../components/status-badge.js';
import { UsageBar } from '../components/usage-bar.js';
import { AdminPage } from './admin-page.js';

/** The usage figures of a hypervisor, and their sums over all of them (`os-hypervisors/statistics`). */
interface HypervisorUsage {
  readonly vcpus: number;
  readonly vcpus_used: number;
  readonly memory_mb: number;
  readonly memory_mb_used: number;
  readonly local_gb: number;
  readonly local_gb_used: number;
  readonly running_vms: number;
}

interface Hypervisor extends HypervisorUsage {
  readonly id: string;
  readonly hypervisor_hostname: string;
  readonly state: string;
  readonly status: string;
}

function UsageBars({ usage }: { usage: HypervisorUsage }) {
  return (
    <>
      <UsageBar label="vCPUs" used={usage.vcpus_used} total={usage.vcpus} />
      <UsageBar label="RAM" used={usage.memory_mb_used} total={usage.memory_mb} unit=" MiB" />
      <UsageBar label="Local disk" used={usage.local_gb_used} total={usage.local_gb} unit=" GiB" />
      <p class="muted">{usage.running_vms} running instances</p>
    </>
  );
}

/** Every hypervisor's usage, and the cloud's summed up as Horizon's hypervisor summary shows it. */
export function AdminHypervisorsPage({ session }: { session: Session }) {
  const options = { microversion: HYPERVISOR_USAGE_MICROVERSION };
  const loaded = useLoad(
    async () => {
      const [detail, statistics] = await Promise.all([
        call<{ hypervisors: Hypervisor[] }>(session, 'compute', '/os-hypervisors/detail', options),
        call<{ hypervisor_statistics: HypervisorUsage }>(session, 'compute', '/os-hypervisors/statistics', options),
      ]);
      return { hypervisors: detail.hypervisors, total: statistics.hypervisor_statistics };
    },
    [session.token],
    10_000,
  );
  return (
    <AdminPage session={session} title="Hypervisors" loaded={loaded}>
      {({ hypervisors, total }) => (
        <>
          <article class="card" aria-label="All hypervisors">
            <h2>All {hypervisors.length} hypervisors</h2>
            <UsageBars usage={total} />
          </article>
          <div class="cards">
            {hypervisors.map((h) => (
              <article key={h.id} class="card" aria-label={h.hypervisor_hostname}>
                <h2>
                  {h.hypervisor_hostname} <StatusBadge status={h.state} /> <StatusBadge status={h.status} />
                </h2>
                <UsageBars usage={h} />
              </article>
            ))}
          </div>
        </>
      )}
    </AdminPage>
  );
}

export function AdminFlavorsPage({ session }: { session: Session }) {
  const loaded = useLoad(() => listFlavors(session, true), [session.token]);
  return (
    <AdminPage session={session} title="Flavors" loaded={loaded}>
      {(flavors) => (
        <DataTable headings={['Name', 'vCPUs', 'RAM (MiB)', 'Disk (GiB)', 'Public']}>
          {flavors.map((f) => (
            <tr key={f.id}>
              <td>{f.name}</td>
              <td>{f.vcpus}</td>
              <td>{f.ram}</td>
              <td>{f.disk}</td>
              <td>{f['os-flavor-access:is_public'] === false ? 'no' : 'yes'}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </AdminPage>
  );
}
