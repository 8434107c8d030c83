import type { ComponentChildren } from 'preact';
import { call, listFlavors } from '../api/cloud.js';
import { ApiError } from '../api/http.js';
import type { Session } from '../api/session.js';
import { DataTable } from '../components/data-table.js';
import { ErrorBox, Loading, useLoad, type Loaded } from '../components/load.js';
import { StatusBadge } from '../components/status-badge.js';
import { UsageBar } from '../components/usage-bar.js';

interface AdminPageProps<T> {
  readonly session: Session;
  readonly title: string;
  readonly loaded: Loaded<T>;
  readonly children: (data: T) => ComponentChildren;
}

/**
 * An admin page. Without the admin role (as Horizon gates its admin panels) or when the API answers
 * 403, a clear "not allowed" view; other errors show their own message.
 */
export function AdminPage<T>({ session, title, loaded, children }: AdminPageProps<T>) {
  const { data, error } = loaded;
  const refused = error instanceof ApiError && error.status === 403;
  if (!session.roles.includes('admin') || refused) {
    return (
      <section>
        <h1>{title}</h1>
        <div class="not-allowed" role="alert">
          <h2>Not allowed</h2>
          <p>This page is for cloud administrators; your role in this project does not allow it.</p>
          {refused && <p class="muted">The API said: {error.message}</p>}
        </div>
      </section>
    );
  }
  return (
    <section>
      <h1>{title}</h1>
      <ErrorBox error={error} />
      {data === undefined ? error === undefined && <Loading what={title.toLowerCase()} /> : children(data)}
    </section>
  );
}

interface Hypervisor {
  readonly id: string;
  readonly hypervisor_hostname: string;
  readonly state: string;
  readonly status: string;
  readonly vcpus: number;
  readonly vcpus_used: number;
  readonly memory_mb: number;
  readonly memory_mb_used: number;
  readonly local_gb: number;
  readonly local_gb_used: number;
  readonly running_vms: number;
}

export function AdminHypervisorsPage({ session }: { session: Session }) {
  const loaded = useLoad(async () => (await call<{ hypervisors: Hypervisor[] }>(session, 'compute', '/os-hypervisors/detail')).hypervisors, [session.token], 10_000);
  return (
    <AdminPage session={session} title="Hypervisors" loaded={loaded}>
      {(hypervisors) => (
        <div class="cards">
          {hypervisors.map((h) => (
            <article key={h.id} class="card" aria-label={h.hypervisor_hostname}>
              <h2>
                {h.hypervisor_hostname} <StatusBadge status={h.state} /> <StatusBadge status={h.status} />
              </h2>
              <UsageBar label="vCPUs" used={h.vcpus_used} total={h.vcpus} />
              <UsageBar label="RAM" used={h.memory_mb_used} total={h.memory_mb} unit=" MiB" />
              <UsageBar label="Local disk" used={h.local_gb_used} total={h.local_gb} unit=" GiB" />
              <p class="muted">{h.running_vms} running instances</p>
            </article>
          ))}
        </div>
      )}
    </AdminPage>
  );
}

interface ComputeService {
  readonly id: string | number;
  readonly binary: string;
  readonly host: string;
  readonly zone: string;
  readonly status: string;
  readonly state: string;
  readonly updated_at: string | null;
}

export function AdminServicesPage({ session }: { session: Session }) {
  const loaded = useLoad(async () => (await call<{ services: ComputeService[] }>(session, 'compute', '/os-services')).services, [session.token], 10_000);
  return (
    <AdminPage session={session} title="Compute services" loaded={loaded}>
      {(services) => (
        <DataTable headings={['Binary', 'Host', 'Zone', 'Status', 'State', 'Updated']}>
          {services.map((s) => (
            <tr key={s.id}>
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

interface Named {
  readonly id: string;
  readonly name: string;
  readonly domain_id?: string;
  readonly enabled?: boolean;
}

function NamedList({ heading, rows }: { heading: string; rows: readonly Named[] }) {
  return (
    <article class="card">
      <h2>{heading}</h2>
      <ul>
        {rows.map((r) => (
          <li key={r.id}>
            {r.name} {r.enabled === false ? '(disabled)' : ''}
          </li>
        ))}
      </ul>
    </article>
  );
}

export function AdminIdentityPage({ session }: { session: Session }) {
  const loaded = useLoad(async () => {
    const [projects, users] = await Promise.all([
      call<{ projects: Named[] }>(session, 'identity', '/v3/projects'),
      call<{ users: Named[] }>(session, 'identity', '/v3/users'),
    ]);
    return { projects: projects.projects, users: users.users };
  }, [session.token]);
  return (
    <AdminPage session={session} title="Projects and users" loaded={loaded}>
      {({ projects, users }) => (
        <div class="cards">
          <NamedList heading="Projects" rows={projects} />
          <NamedList heading="Users" rows={users} />
        </div>
      )}
    </AdminPage>
  );
}
