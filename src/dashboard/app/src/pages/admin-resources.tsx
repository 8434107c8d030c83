import { call, listImages } from '../api/cloud.js';
import { listNetworks, listSubnets } from '../api/network.js';
import type { Session } from '../api/session.js';
import { VOLUME_SERVICE, type Volume } from '../api/volume.js';
import { DataTable } from '../components/data-table.js';
import { useLoad } from '../components/load.js';
import { StatusBadge } from '../components/status-badge.js';
import { AdminPage } from './admin-page.js';

/** Project names by id, for the Project column of the pages over every project. */
async function projectNames(session: Session): Promise<ReadonlyMap<string, string>> {
  const { projects } = await call<{ projects: { id: string; name: string }[] }>(session, 'identity', '/v3/projects');
  return new Map(projects.map((p) => [p.id, p.name]));
}

/** What a page over every project loads: its rows and the project names. */
function useAllProjects<T>(session: Session, rows: () => Promise<T>) {
  return useLoad(
    async () => {
      const [data, projects] = await Promise.all([rows(), projectNames(session)]);
      return { data, projectName: (id: string | null | undefined) => (id ? (projects.get(id) ?? id) : '') };
    },
    [session.token],
    5000,
  );
}

interface AdminVolume extends Volume {
  readonly 'os-vol-tenant-attr:tenant_id'?: string;
  readonly 'os-vol-host-attr:host'?: string | null;
  readonly volume_type?: string | null;
}

export function AdminVolumesPage({ session }: { session: Session }) {
  const loaded = useAllProjects(session, async () => (await call<{ volumes: AdminVolume[] }>(session, VOLUME_SERVICE, '/volumes/detail?all_tenants=1')).volumes);
  return (
    <AdminPage session={session} title="All volumes" loaded={loaded}>
      {({ data: volumes, projectName }) => (
        <DataTable headings={['Name', 'Project', 'Host', 'Size', 'Type', 'Status', 'Attached to']}>
          {volumes.map((v) => (
            <tr key={v.id} data-volume={v.name || v.id}>
              <td>{v.name || v.id}</td>
              <td>{projectName(v['os-vol-tenant-attr:tenant_id'])}</td>
              <td>{v['os-vol-host-attr:host'] ?? ''}</td>
              <td>{v.size} GiB</td>
              <td>{v.volume_type ?? ''}</td>
              <td>
                <StatusBadge status={v.status} />
              </td>
              <td>{v.attachments.map((a) => a.server_id).join(', ')}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </AdminPage>
  );
}

export function AdminNetworksPage({ session }: { session: Session }) {
  const loaded = useAllProjects(session, async () => {
    const [networks, subnets] = await Promise.all([listNetworks(session), listSubnets(session)]);
    return { networks, subnets };
  });
  return (
    <AdminPage session={session} title="All networks" loaded={loaded}>
      {({ data: { networks, subnets }, projectName }) => (
        <DataTable headings={['Network', 'Project', 'Subnets', 'Shared', 'Status']}>
          {networks.map((n) => (
            <tr key={n.id} data-network={n.name}>
              <td>{n.name || n.id}</td>
              <td>{projectName(n.project_id)}</td>
              <td>
                {subnets
                  .filter((s) => s.network_id === n.id)
                  .map((s) => `${s.name || s.id} ${s.cidr}`)
                  .join(', ')}
              </td>
              <td>{n.shared ? 'yes' : 'no'}</td>
              <td>
                <StatusBadge status={n.status} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </AdminPage>
  );
}

export function AdminImagesPage({ session }: { session: Session }) {
  const loaded = useAllProjects(session, () => listImages(session));
  return (
    <AdminPage session={session} title="All images" loaded={loaded}>
      {({ data: images, projectName }) => (
        <DataTable headings={['Name', 'Owner', 'Visibility', 'Format', 'Size', 'Status']}>
          {images.map((i) => (
            <tr key={i.id} data-image={i.name ?? i.id}>
              <td>{i.name ?? i.id}</td>
              <td>{projectName(i.owner)}</td>
              <td>{i.visibility}</td>
              <td>{i.disk_format ?? ''}</td>
              <td>{i.size === null || i.size === undefined ? '' : `${Math.ceil(i.size / 1024 / 1024)} MiB`}</td>
              <td>
                <StatusBadge status={i.status} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </AdminPage>
  );
}
