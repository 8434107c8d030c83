import { useState } from 'preact/hooks';
import { listServers, type Server } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { DataTable } from '../components/data-table.js';
import { ErrorBox, Loading, useLoad } from '../components/load.js';
import { StatusBadge } from '../components/status-badge.js';
import { ActionMenu } from './server-actions.js';

/** Milliseconds between refreshes of the page shown: statuses change without a reload. */
const POLL_MS = 2000;
/** Rows per page: a project with thousands of servers is read and drawn a page at a time. */
const PAGE_SIZE = 50;

export function addressesOf(server: Server): string {
  return Object.entries(server.addresses)
    .flatMap(([network, addrs]) => addrs.map((a) => `${network}: ${a.addr}`))
    .join(', ');
}

export function InstancesPage({ session }: { session: Session }) {
  // The markers of the pages before this one (Nova pages forward only).
  const [markers, setMarkers] = useState<(string | undefined)[]>([]);
  const marker = markers.at(-1);
  const page = useLoad(() => listServers(session, PAGE_SIZE, marker), [session.token, marker], POLL_MS);
  const servers = { ...page, data: page.data?.servers };
  const next = page.data?.next;
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
      {(markers.length > 0 || next !== undefined) && (
        <nav class="pager" aria-label="Instance pages">
          <button type="button" disabled={markers.length === 0} onClick={() => setMarkers(markers.slice(0, -1))}>
            Previous page
          </button>
          <span>Page {markers.length + 1}</span>
          <button type="button" disabled={next === undefined} onClick={() => setMarkers([...markers, next])}>
            Next page
          </button>
        </nav>
      )}
    </section>
  );
}
