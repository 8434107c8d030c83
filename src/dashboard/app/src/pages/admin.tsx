import { call, HYPERVISOR_USAGE_MICROVERSION, listFlavors } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { VOLUME_SERVICE } from '../api/volume.js';
import { DataTable } from '../components/data-table.js';
import { ErrorBox, useLoad } from '../components/load.js';
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

/** A compute or volume service as os-services shows it. */
interface ServiceRow {
  readonly id?: string | number;
  readonly binary: string;
  readonly host: string;
  readonly zone: string;
  readonly status: string;
  readonly state: string;
  readonly updated_at: string | null;
}

interface NetworkAgent {
  readonly id: string;
  readonly binary: string;
  readonly host: string;
  readonly agent_type: string;
  readonly availability_zone: string | null;
  readonly admin_state_up: boolean;
  readonly alive: boolean;
  readonly heartbeat_timestamp: string | null;
}

/** A Neutron agent in os-services' terms: enabled or disabled by its admin state, up while it beats. */
const agentRow = (a: NetworkAgent): ServiceRow => ({
  id: a.id,
  binary: a.binary,
  host: a.host,
  zone: a.availability_zone ?? '',
  status: a.admin_state_up ? 'enabled' : 'disabled',
  state: a.alive ? 'up' : 'down',
  updated_at: a.heartbeat_timestamp,
});

/** One service's rows, or why they could not be read (its API absent or refusing). */
type Rows = { readonly rows: readonly ServiceRow[] } | { readonly error: Error };
const rowsOf = (load: Promise<readonly ServiceRow[]>): Promise<Rows> => load.then((rows) => ({ rows }), (error: Error) => ({ error }));

function ServiceTable({ heading, rows }: { heading: string; rows: Rows }) {
  return (
    <>
      <h2>{heading}</h2>
      {'error' in rows ? (
        <ErrorBox error={rows.error} />
      ) : (
        <DataTable headings={['Binary', 'Host', 'Zone', 'Status', 'State', 'Updated']}>
          {rows.rows.map((s) => (
            <tr key={`${s.binary}@${s.host}`} data-service={`${s.binary}@${s.host}`}>
              <td>{s.binary}</td>
              <td>{s.host}</td>
              <td>{s.zone}</td>
              <td>
                <StatusBadge status={s.status} />
              </td>
              <td>
                <StatusBadge status={s.state} />
              </td>
              <td>{s.updated_at ?? ''}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

/** Compute and volume services and network agents, up or down (Horizon's System Information). */
export function AdminServicesPage({ session }: { session: Session }) {
  const loaded = useLoad(
    async () => {
      // Nova's answer decides the page (a member's 403); the others show their own errors.
      const compute = (await call<{ services: ServiceRow[] }>(session, 'compute', '/os-services')).services;
      const [volume, network] = await Promise.all([
        rowsOf(call<{ services: ServiceRow[] }>(session, VOLUME_SERVICE, '/os-services').then((b) => b.services)),
        rowsOf(call<{ agents: NetworkAgent[] }>(session, 'network', '/v2.0/agents').then((b) => b.agents.map(agentRow))),
      ]);
      return { compute, volume, network };
    },
    [session.token],
    10_000,
  );
  return (
    <AdminPage session={session} title="Services" loaded={loaded}>
      {({ compute, volume, network }) => (
        <>
          <ServiceTable heading="Compute services" rows={{ rows: compute }} />
          <ServiceTable heading="Block storage services" rows={volume} />
          <ServiceTable heading="Network agents" rows={network} />
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
