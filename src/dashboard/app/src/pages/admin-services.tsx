import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { call, listServers, type Server } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { VOLUME_SERVICE } from '../api/volume.js';
import { Confirm, FormDialog } from '../components/confirm.js';
import { DataTable } from '../components/data-table.js';
import { field } from '../components/form-field.js';
import { ErrorBox, useLoad } from '../components/load.js';
import { StatusBadge } from '../components/status-badge.js';
import { useRun } from '../components/use-run.js';
import { AdminPage } from './admin-page.js';
import { evacuate, EvacuateDialog, isComputeService, listComputeServices, usableHosts, type ComputeServiceRow, type ServiceRow } from './compute-hosts.js';

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
  binary: a.binary,
  host: a.host,
  zone: a.availability_zone ?? '',
  status: a.admin_state_up ? 'enabled' : 'disabled',
  state: a.alive ? 'up' : 'down',
  updated_at: a.heartbeat_timestamp,
});

/** One service's rows, or why they could not be read (its API absent or refusing). */
type Rows<T> = { readonly rows: readonly T[] } | { readonly error: Error };
const rowsOf = (load: Promise<readonly ServiceRow[]>): Promise<Rows<ServiceRow>> => load.then((rows) => ({ rows }), (error: Error) => ({ error }));

interface ServiceTableProps<T extends ServiceRow> {
  readonly heading: string;
  readonly rows: Rows<T>;
  /** A last column of buttons, for the services an administrator can act on. */
  readonly actions?: (row: T) => ComponentChildren;
}

function ServiceTable<T extends ServiceRow>({ heading, rows, actions }: ServiceTableProps<T>) {
  const headings = ['Binary', 'Host', 'Zone', 'Status', 'State', 'Updated', ...(actions === undefined ? [] : ['Actions'])];
  return (
    <>
      <h2>{heading}</h2>
      {'error' in rows ? (
        <ErrorBox error={rows.error} />
      ) : (
        <DataTable headings={headings}>
          {rows.rows.map((s) => (
            <tr key={`${s.binary}@${s.host}`} data-service={`${s.binary}@${s.host}`}>
              <td>{s.binary}</td>
              <td>{s.host}</td>
              <td>{s.zone}</td>
              <td>
                <StatusBadge status={s.status} />
                {s.disabled_reason ? <span class="muted"> ({s.disabled_reason})</span> : null}
              </td>
              <td>
                <StatusBadge status={s.state} />
              </td>
              <td>{s.updated_at ?? ''}</td>
              {actions !== undefined && (
                <td>
                  <div class="row-buttons">{actions(s)}</div>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

/** A dialog the compute services' buttons open. */
type Pending = { readonly ask: 'disable' | 'force-down' | 'evacuate'; readonly service: ComputeServiceRow };

/**
 * Compute and volume services and network agents, up or down (Horizon's System Information), and
 * what an administrator does to a compute service: disable it with a reason or enable it, force it
 * down (a host known to be off, so its servers can be evacuated at once), and evacuate a down host.
 */
export function AdminServicesPage({ session }: { session: Session }) {
  const loaded = useLoad(
    async () => {
      // Nova's answer decides the page (a member's 403); the others show their own errors.
      const compute = await listComputeServices(session);
      const [volume, network] = await Promise.all([
        rowsOf(call<{ services: ServiceRow[] }>(session, VOLUME_SERVICE, '/os-services').then((b) => b.services)),
        rowsOf(call<{ agents: NetworkAgent[] }>(session, 'network', '/v2.0/agents').then((b) => b.agents.map(agentRow))),
      ]);
      return { compute, volume, network };
    },
    [session.token],
    10_000,
  );
  const { error, run } = useRun(loaded.reload);
  const [pending, setPending] = useState<Pending | undefined>(undefined);
  // Nova 2.53: the service by its uuid, with the fields that change.
  const update = (service: ComputeServiceRow, body: Record<string, unknown>) => {
    setPending(undefined);
    void run(() => call(session, 'compute', `/os-services/${service.id}`, { method: 'PUT', body }));
  };
  // Horizon's Evacuate Host: every server on the host, each evacuated.
  const evacuateHost = (service: ComputeServiceRow, target: string) => {
    setPending(undefined);
    void run(async () => {
      // Every page of the host's servers first: evacuating them changes the list being paged.
      const servers: Server[] = [];
      let marker: string | undefined;
      do {
        const page = await listServers(session, 1000, marker, { all_tenants: '1', host: service.host });
        servers.push(...page.servers);
        marker = page.next;
      } while (marker !== undefined);
      await Promise.all(servers.map((server) => evacuate(session, server, target)));
    });
  };
  const actions = (s: ComputeServiceRow) =>
    isComputeService(s) && (
      <>
        {s.status === 'enabled' ? (
          <button type="button" aria-label={`Disable ${s.binary} on ${s.host}`} onClick={() => setPending({ ask: 'disable', service: s })}>
            Disable
          </button>
        ) : (
          <button type="button" aria-label={`Enable ${s.binary} on ${s.host}`} onClick={() => update(s, { status: 'enabled' })}>
            Enable
          </button>
        )}
        {s.forced_down === true ? (
          <button type="button" aria-label={`Unset force down of ${s.binary} on ${s.host}`} onClick={() => update(s, { forced_down: false })}>
            Unset force down
          </button>
        ) : (
          <button type="button" class="danger" aria-label={`Force down ${s.binary} on ${s.host}`} onClick={() => setPending({ ask: 'force-down', service: s })}>
            Force down
          </button>
        )}
        {s.state === 'down' && (
          <button type="button" class="danger" aria-label={`Evacuate host ${s.host}`} onClick={() => setPending({ ask: 'evacuate', service: s })}>
            Evacuate host
          </button>
        )}
      </>
    );
  return (
    <AdminPage session={session} title="Services" loaded={loaded}>
      {({ compute, volume, network }) => (
        <>
          <ErrorBox error={error} />
          <ServiceTable heading="Compute services" rows={{ rows: compute }} actions={actions} />
          <ServiceTable heading="Block storage services" rows={volume} />
          <ServiceTable heading="Network agents" rows={network} />
          {pending?.ask === 'disable' && (
            <FormDialog
              question={`Disable ${pending.service.binary} on ${pending.service.host}? The scheduler places no new servers there.`}
              confirmLabel="Disable"
              onConfirm={(form) => update(pending.service, { status: 'disabled', ...(field(form, 'reason') === '' ? {} : { disabled_reason: field(form, 'reason') }) })}
              onCancel={() => setPending(undefined)}
            >
              <label>
                Reason (optional)
                <input name="reason" maxLength={255} />
              </label>
            </FormDialog>
          )}
          {pending?.ask === 'force-down' && (
            <Confirm
              question={`Force ${pending.service.binary} on ${pending.service.host} down? Do this only when the host is really off: its servers can then be evacuated.`}
              confirmLabel="Force down"
              onConfirm={() => update(pending.service, { forced_down: true })}
              onCancel={() => setPending(undefined)}
            />
          )}
          {pending?.ask === 'evacuate' && (
            <EvacuateDialog
              what={`the servers of ${pending.service.host}`}
              hosts={usableHosts(compute).filter((h) => h !== pending.service.host)}
              onConfirm={(target) => evacuateHost(pending.service, target)}
              onCancel={() => setPending(undefined)}
            />
          )}
        </>
      )}
    </AdminPage>
  );
}
