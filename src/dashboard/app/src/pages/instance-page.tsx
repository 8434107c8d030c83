import { useState } from 'preact/hooks';
import { call, getServer, listFlavors, serverAction, type Server } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { DataTable } from '../components/data-table.js';
import { ErrorBox, Loading, useLoad } from '../components/load.js';
import { StatusBadge } from '../components/status-badge.js';
import { ActionMenu } from './server-actions.js';
import { VncConsole } from './vnc-console.js';

interface ActionEvent {
  readonly event: string;
  readonly start_time: string;
  readonly finish_time: string | null;
  readonly result: string | null;
  readonly host?: string;
}
interface InstanceAction {
  readonly action: string;
  readonly request_id: string;
  readonly start_time: string;
  readonly message: string | null;
  readonly events?: readonly ActionEvent[];
}

/** The action log: each action with its request id, then its events (one GET per action, as OSC's `show` does). */
async function actionLog(session: Session, id: string): Promise<InstanceAction[]> {
  const { instanceActions } = await call<{ instanceActions: InstanceAction[] }>(session, 'compute', `/servers/${id}/os-instance-actions`);
  return Promise.all(
    instanceActions.map(async (a) => (await call<{ instanceAction: InstanceAction }>(session, 'compute', `/servers/${id}/os-instance-actions/${a.request_id}`)).instanceAction),
  );
}

const TABS = ['Overview', 'Action log', 'Console log', 'Console'] as const;
type Tab = (typeof TABS)[number];

export function InstancePage({ session, id }: { session: Session; id: string }) {
  const [tab, setTab] = useState<Tab>('Overview');
  const [error, setError] = useState<Error | undefined>(undefined);
  const server = useLoad(() => getServer(session, id), [session.token, id], 2000);
  const s = server.data;
  return (
    <section>
      <p>
        <a href="#/instances">← Instances</a>
      </p>
      <ErrorBox error={error ?? server.error} />
      {s === undefined ? (
        <Loading what="the instance" />
      ) : (
        <>
          <div class="page-head">
            <h1>{s.name}</h1>
            <StatusBadge status={s.status} task={s['OS-EXT-STS:task_state']} />
            <ActionMenu session={session} server={s} onDone={server.reload} onError={setError} />
          </div>
          <div role="tablist" class="tabs" aria-label="Instance details">
            {TABS.map((t) => (
              <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
                {t}
              </button>
            ))}
          </div>
          <div role="tabpanel" aria-label={tab}>
            {tab === 'Overview' && <Overview session={session} server={s} onChanged={server.reload} onError={setError} />}
            {tab === 'Action log' && <ActionLog session={session} id={id} />}
            {tab === 'Console log' && <ConsoleLog session={session} id={id} />}
            {tab === 'Console' && <VncConsole session={session} id={id} />}
          </div>
        </>
      )}
    </section>
  );
}

interface OverviewProps {
  readonly session: Session;
  readonly server: Server;
  readonly onChanged: () => void;
  readonly onError: (e: Error) => void;
}

function Overview({ session, server: s, onChanged, onError }: OverviewProps) {
  const flavors = useLoad(() => listFlavors(session), [session.token]);
  const [flavor, setFlavor] = useState('');
  const resize = async () => {
    try {
      await serverAction(session, s.id, { resize: { flavorRef: flavor } });
      onChanged();
    } catch (err) {
      onError(err as Error);
    }
  };
  return (
    <>
      <dl class="facts">
        <dt>ID</dt>
        <dd>{s.id}</dd>
        <dt>Status</dt>
        <dd>{s.status}</dd>
        <dt>Flavor</dt>
        <dd>
          {s.flavor.original_name} ({s.flavor.vcpus} vCPU, {s.flavor.ram} MiB)
        </dd>
        <dt>Key pair</dt>
        <dd>{s.key_name ?? 'none'}</dd>
        <dt>Locked</dt>
        <dd>{s.locked ? 'yes' : 'no'}</dd>
        <dt>Created</dt>
        <dd>{s.created}</dd>
        {s.fault && (
          <>
            <dt>Fault</dt>
            <dd class="error">{s.fault.message}</dd>
          </>
        )}
      </dl>
      <h2>Addresses</h2>
      {Object.keys(s.addresses).length === 0 ? (
        <p class="muted">No addresses.</p>
      ) : (
        <ul>
          {Object.entries(s.addresses).flatMap(([network, addrs]) =>
            addrs.map((a) => (
              <li key={`${network}-${a.addr}`}>
                {network}: {a.addr} (IPv{a.version}
                {a['OS-EXT-IPS:type'] ? `, ${a['OS-EXT-IPS:type']}` : ''})
              </li>
            )),
          )}
        </ul>
      )}
      <h2>Resize</h2>
      <div class="inline-form">
        <label>
          New flavor
          <select value={flavor} onChange={(e) => setFlavor(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {(flavors.data ?? []).map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={flavor === '' || !['ACTIVE', 'SHUTOFF'].includes(s.status)} onClick={() => void resize()}>
          Resize
        </button>
      </div>
    </>
  );
}

function ActionLog({ session, id }: { session: Session; id: string }) {
  const log = useLoad(() => actionLog(session, id), [session.token, id], 5000);
  if (log.error) return <ErrorBox error={log.error} />;
  if (log.data === undefined) return <Loading what="the action log" />;
  return (
    <DataTable headings={['Action', 'Request ID', 'Started', 'Events']}>
      {log.data.map((a) => (
        <tr key={a.request_id} data-action={a.action}>
          <td>{a.action}</td>
          <td>
            <code>{a.request_id}</code>
            {session.roles.includes('admin') && (
              <div>
                <a href={`#/timeline/${encodeURIComponent(a.request_id)}`} aria-label={`Timeline of ${a.action} ${a.request_id}`}>
                  Timeline
                </a>
              </div>
            )}
          </td>
          <td>{a.start_time}</td>
          <td>
            <ul class="events">
              {(a.events ?? []).map((e) => (
                <li key={e.event + e.start_time}>
                  {e.event}: {e.result ?? 'running'}
                  {e.host ? ` on ${e.host}` : ''}
                </li>
              ))}
            </ul>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function ConsoleLog({ session, id }: { session: Session; id: string }) {
  const output = useLoad(
    async () => (await serverAction(session, id, { 'os-getConsoleOutput': { length: 200 } })) as { output: string },
    [session.token, id],
    5000,
  );
  if (output.error) return <ErrorBox error={output.error} />;
  if (output.data === undefined) return <Loading what="the console log" />;
  return (
    <pre class="console" aria-label="Console log" tabIndex={0}>
      {output.data.output || '(the console is empty)'}
    </pre>
  );
}
