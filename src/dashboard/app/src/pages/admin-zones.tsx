import { useState } from 'preact/hooks';
import { call } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { Confirm } from '../components/confirm.js';
import { DataTable } from '../components/data-table.js';
import { DeleteButton } from '../components/delete-button.js';
import { field } from '../components/form-field.js';
import { ErrorBox, useLoad } from '../components/load.js';
import { MemberList } from '../components/member-list.js';
import { StatusBadge } from '../components/status-badge.js';
import { useRun } from '../components/use-run.js';
import { AdminPage } from './admin-page.js';

interface Aggregate {
  readonly id: number;
  readonly name: string;
  readonly availability_zone: string | null;
  readonly hosts: readonly string[];
}

interface Zone {
  readonly zoneName: string;
  readonly zoneState: { readonly available: boolean };
  readonly hosts: Readonly<Record<string, Readonly<Record<string, { readonly available: boolean; readonly active: boolean }>>>> | null;
}

/** Nova's host aggregates (made, hosts added and removed, deleted) and the availability zones they define. */
export function AdminZonesPage({ session }: { session: Session }) {
  const loaded = useLoad(
    async () => {
      const [aggregates, zones, services] = await Promise.all([
        call<{ aggregates: Aggregate[] }>(session, 'compute', '/os-aggregates'),
        call<{ availabilityZoneInfo: Zone[] }>(session, 'compute', '/os-availability-zone/detail'),
        call<{ services: { binary: string; host: string }[] }>(session, 'compute', '/os-services'),
      ]);
      return { aggregates: aggregates.aggregates, zones: zones.availabilityZoneInfo, hosts: [...new Set(services.services.filter((s) => s.binary === 'nova-compute').map((s) => s.host))].sort() };
    },
    [session.token],
    5000,
  );
  const { error, run } = useRun(loaded.reload);
  const [deleting, setDeleting] = useState<Aggregate | undefined>(undefined);
  const aggregateAction = (aggregate: Aggregate, body: unknown) => run(() => call(session, 'compute', `/os-aggregates/${aggregate.id}/action`, { method: 'POST', body }));
  const create = (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const zone = field(form, 'zone');
    void run(async () => {
      await call(session, 'compute', '/os-aggregates', { method: 'POST', body: { aggregate: { name: field(form, 'name'), ...(zone === '' ? {} : { availability_zone: zone }) } } });
      formElement.reset();
    });
  };
  const remove = (aggregate: Aggregate) => {
    setDeleting(undefined);
    void run(() => call(session, 'compute', `/os-aggregates/${aggregate.id}`, { method: 'DELETE' }));
  };
  return (
    <AdminPage session={session} title="Aggregates and zones" loaded={loaded}>
      {({ aggregates, zones, hosts }) => (
        <>
          <form class="inline-form" onSubmit={create} aria-label="Create a host aggregate">
            <label>
              Aggregate name
              <input name="name" required />
            </label>
            <label>
              Availability zone (optional)
              <input name="zone" />
            </label>
            <button type="submit" class="primary">
              Create aggregate
            </button>
          </form>
          <ErrorBox error={error} />
          <h2>Host aggregates</h2>
          {aggregates.length === 0 ? (
            <p class="muted">No host aggregates.</p>
          ) : (
            <DataTable headings={['Aggregate', 'Availability zone', 'Hosts', 'Actions']}>
              {aggregates.map((a) => (
                <tr key={a.id} data-aggregate={a.name}>
                  <td>{a.name}</td>
                  <td>{a.availability_zone ?? ''}</td>
                  <td>
                    <MemberList
                      members={a.hosts.map((h) => ({ id: h, name: h }))}
                      removeLabel={(h) => `Remove ${h.id} from ${a.name}`}
                      onRemove={(h) => void aggregateAction(a, { remove_host: { host: h.id } })}
                      choices={hosts.filter((h) => !a.hosts.includes(h)).map((h) => ({ id: h, name: h }))}
                      formLabel={`Add a host to ${a.name}`}
                      selectLabel={`Host for ${a.name}`}
                      addLabel="Add host"
                      onAdd={(host) => void aggregateAction(a, { add_host: { host } })}
                    />
                  </td>
                  <td>
                    <DeleteButton what={`aggregate ${a.name}`} onClick={() => setDeleting(a)} />
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
          <h2>Availability zones</h2>
          <DataTable headings={['Zone', 'State', 'Hosts and services']}>
            {zones.map((z) => (
              <tr key={z.zoneName} data-zone={z.zoneName}>
                <td>{z.zoneName}</td>
                <td>
                  <StatusBadge status={z.zoneState.available ? 'available' : 'down'} />
                </td>
                <td>
                  {Object.entries(z.hosts ?? {})
                    .map(([host, services]) => `${host}: ${Object.keys(services).join(', ')}`)
                    .join('; ')}
                </td>
              </tr>
            ))}
          </DataTable>
          {deleting && <Confirm question={`Delete aggregate ${deleting.name}?`} confirmLabel="Delete" onConfirm={() => remove(deleting)} onCancel={() => setDeleting(undefined)} />}
        </>
      )}
    </AdminPage>
  );
}
