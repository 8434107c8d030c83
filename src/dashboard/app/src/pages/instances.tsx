import { useState } from 'preact/hooks';
import type { Server } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { DataTable } from '../components/data-table.js';
import { ErrorBox, Loading } from '../components/load.js';
import { useServerPages } from '../components/server-pages.js';
import { StatusBadge } from '../components/status-badge.js';
import { ActionMenu } from './server-actions.js';

export function addressesOf(server: Server): string {
  return Object.entries(server.addresses)
    .flatMap(([network, addrs]) => addrs.map((a) => `${network}: ${a.addr}`))
    .join(', ');
}

export function InstancesPage({ session }: { session: Session }) {
  const { servers, pager } = useServerPages(session);
  const [actionError, setActionError] = useState<Error | undefined>(undefined);
  return (
    <section>
      <div class="page-head">
        <h1>Instances</h1>
        <a class="button primary" href="#/instances/launch">
          Launch instance
        </a>
      </div>
      <ErrorBox error={actionError ?? servers.error} />
      {servers.data === undefined ? (
        <Loading what="instances" />
      ) : servers.data.length === 0 ? (
        <p class="muted">No instances in this project.</p>
      ) : (
        <DataTable headings={['Name', 'Status', 'Flavor', 'Addresses', 'Locked', 'Actions']}>
          {servers.data.map((server) => (
            <tr key={server.id} data-server={server.name}>
              <td>
                <a href={`#/instances/${server.id}`}>{server.name}</a>
              </td>
              <td>
                <StatusBadge status={server.status} task={server['OS-EXT-STS:task_state']} />
              </td>
              <td>{server.flavor.original_name ?? ''}</td>
              <td>{addressesOf(server)}</td>
              <td>{server.locked ? 'yes' : 'no'}</td>
              <td>
                <ActionMenu
                  session={session}
                  server={server}
                  onDone={() => {
                    setActionError(undefined);
                    servers.reload();
                  }}
                  onError={setActionError}
                />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {pager}
    </section>
  );
}
