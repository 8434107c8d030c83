import { useState } from 'preact/hooks';
import { call, serverAction, type Server } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { DataTable } from '../components/data-table.js';
import { field } from '../components/form-field.js';
import { ErrorBox, useLoad } from '../components/load.js';
import { useServerPages } from '../components/server-pages.js';
import { StatusBadge } from '../components/status-badge.js';
import { useRun } from '../components/use-run.js';
import { migrationBody, migrationsFor, type Migration } from '../logic/migrations.js';
import { AdminPage } from './admin-page.js';
import { downHosts, evacuate, EvacuateDialog, HostSelect, listComputeServices, usableHosts } from './compute-hosts.js';
import { addressesOf } from './instances.js';

const ALL_PROJECTS = { all_tenants: '1' } as const;

const LABELS: Readonly<Record<Migration, string>> = {
  'live-migrate': 'Live migrate',
  migrate: 'Migrate',
  'confirm-migration': 'Confirm migration',
  'revert-migration': 'Revert migration',
};

/**
 * Every project's instances with their host, and the moves an administrator makes (Horizon's Admin →
 * Instances): live and cold migration, and evacuation of a server whose host is down.
 */
export function AdminInstancesPage({ session }: { session: Session }) {
  const { servers, pager } = useServerPages(session, ALL_PROJECTS);
  // Names for the project and host columns; a failure here leaves ids and no host choice, not an empty page.
  const names = useLoad(
    async () => {
      const [projects, services] = await Promise.all([
        call<{ projects: { id: string; name: string }[] }>(session, 'identity', '/v3/projects'),
        listComputeServices(session),
      ]);
      return { projects: new Map(projects.projects.map((p) => [p.id, p.name])), hosts: usableHosts(services), down: downHosts(services) };
    },
    [session.token],
  );
  const { error: actionError, run } = useRun(servers.reload);
  const [evacuating, setEvacuating] = useState<Server | undefined>(undefined);
  const move = (server: Server, migration: Migration, host: string) => void run(() => serverAction(session, server.id, migrationBody(migration, host)));
  const evacuateTo = (server: Server, host: string) => {
    setEvacuating(undefined);
    void run(() => evacuate(session, server, host));
  };
  return (
    <AdminPage session={session} title="All instances" loaded={servers}>
      {(rows) => (
        <>
          <ErrorBox error={actionError ?? names.error} />
          <DataTable headings={['Name', 'Project', 'Host', 'Status', 'Flavor', 'Addresses', 'Move']}>
            {rows.map((server) => {
              const host = server['OS-EXT-SRV-ATTR:host'] ?? '';
              return (
                <tr key={server.id} data-server={server.name}>
                  <td>{server.name}</td>
                  <td>{names.data?.projects.get(server.tenant_id) ?? server.tenant_id}</td>
                  <td data-host={host}>{host}</td>
                  <td>
                    <StatusBadge status={server.status} task={server['OS-EXT-STS:task_state']} />
                  </td>
                  <td>{server.flavor.original_name ?? ''}</td>
                  <td>{addressesOf(server)}</td>
                  <td>
                    {names.data?.down.has(host) === true ? (
                      <button type="button" class="danger" aria-label={`Evacuate ${server.name}`} onClick={() => setEvacuating(server)}>
                        Evacuate
                      </button>
                    ) : (
                      <MoveForm server={server} hosts={(names.data?.hosts ?? []).filter((h) => h !== host)} onMove={(migration, target) => move(server, migration, target)} />
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
          {rows.length === 0 && <p class="muted">No instances in any project.</p>}
          {pager}
          {evacuating && (
            <EvacuateDialog
              what={`server ${evacuating.name}`}
              hosts={(names.data?.hosts ?? []).filter((h) => h !== evacuating['OS-EXT-SRV-ATTR:host'])}
              onConfirm={(target) => evacuateTo(evacuating, target)}
              onCancel={() => setEvacuating(undefined)}
            />
          )}
        </>
      )}
    </AdminPage>
  );
}

interface MoveFormProps {
  readonly server: Server;
  readonly hosts: readonly string[];
  readonly onMove: (migration: Migration, host: string) => void;
}

/** The moves that apply to a server now; a live or cold migration goes to a chosen host or the scheduler's. */
function MoveForm({ server, hosts, onMove }: MoveFormProps) {
  const migrations = migrationsFor(server.status);
  if (migrations.length === 0) return null;
  const chooses = migrations.includes('migrate') || migrations.includes('live-migrate');
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const button = event.submitter as HTMLButtonElement | null;
    const form = new FormData(event.currentTarget as HTMLFormElement);
    if (button !== null) onMove(button.value as Migration, field(form, 'host'));
  };
  return (
    <form class="row-form" onSubmit={submit} aria-label={`Move ${server.name}`}>
      {chooses && (
        <HostSelect hosts={hosts} label={`Target host for ${server.name}`} />
      )}
      {migrations.map((m) => (
        <button key={m} type="submit" name="migration" value={m} aria-label={`${LABELS[m]} ${server.name}`}>
          {LABELS[m]}
        </button>
      ))}
    </form>
  );
}
