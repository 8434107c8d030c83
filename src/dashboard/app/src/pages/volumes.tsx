import './resource-pages.css';
import { useState } from 'preact/hooks';
import { call, listImages, listServers } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { attachVolume, detachVolume, listBackups, listSnapshots, listVolumes, VOLUME_SERVICE, volumeAction, type Backup, type Snapshot, type Volume } from '../api/volume.js';
import { Confirm } from '../components/confirm.js';
import { DataTable } from '../components/data-table.js';
import { DeleteButton } from '../components/delete-button.js';
import { field } from '../components/form-field.js';
import { ErrorBox, Loading, useLoad } from '../components/load.js';
import { StatusBadge } from '../components/status-badge.js';
import { useRun } from '../components/use-run.js';
import { backupCreateBody, extendSize, isSettling, snapshotDeletable, volumeActions, volumeCreateBody, volumeName, type VolumeAction, type VolumeSource } from '../logic/volume-states.js';
import { ServicePage } from './service-page.js';
import { BackupsTable, RestoreForm } from './volume-backups.js';

/** Statuses refresh every so often, faster while a volume is on its way somewhere. */
const POLL_MS = 3000;
const SETTLING_POLL_MS = 1000;

/** An action on one volume that needs more input before it is sent. */
type Pending = { readonly action: 'attach' | 'extend' | 'snapshot' | 'backup'; readonly volume: Volume };

/** What a confirmed delete removes: Cinder's collection and the item. */
type Deleting =
  | { readonly kind: 'volumes'; readonly item: Volume }
  | { readonly kind: 'snapshots'; readonly item: Snapshot }
  | { readonly kind: 'backups'; readonly item: Backup };
const KIND_NAMES: Readonly<Record<Deleting['kind'], string>> = { volumes: 'volume', snapshots: 'snapshot', backups: 'backup' };

export function VolumesPage({ session }: { session: Session }) {
  return (
    <ServicePage session={session} title="Volumes" serviceType={VOLUME_SERVICE}>
      <VolumesAndSnapshots session={session} />
    </ServicePage>
  );
}

function VolumesAndSnapshots({ session }: { session: Session }) {
  const [fast, setFast] = useState(false);
  const volumes = useLoad(
    async () => {
      const [vols, snaps, backups] = await Promise.all([listVolumes(session), listSnapshots(session), listBackups(session)]);
      setFast([...vols, ...snaps, ...backups].some((item) => isSettling(item.status)));
      return { vols, snaps, backups };
    },
    [session.token],
    fast ? SETTLING_POLL_MS : POLL_MS,
  );
  const servers = useLoad(async () => (await listServers(session, 1000)).servers, [session.token]);
  const { error, run } = useRun(volumes.reload);
  const [pending, setPending] = useState<Pending | undefined>(undefined);
  const [deleting, setDeleting] = useState<Deleting | undefined>(undefined);
  const [restoring, setRestoring] = useState<Backup | undefined>(undefined);
  const serverName = (id: string) => servers.data?.find((s) => s.id === id)?.name ?? id;

  const start = (action: VolumeAction, volume: Volume) => {
    if (action === 'delete') setDeleting({ kind: 'volumes', item: volume });
    else if (action === 'detach') {
      const serverId = volume.attachments[0]?.server_id;
      if (serverId !== undefined) void run(() => detachVolume(session, serverId, volume.id));
    } else setPending({ action, volume });
  };
  const remove = ({ kind, item }: Deleting) => {
    setDeleting(undefined);
    void run(() => call(session, VOLUME_SERVICE, `/${kind}/${item.id}`, { method: 'DELETE' }));
  };
  const runPending = (work: () => Promise<unknown>) => {
    setPending(undefined);
    setRestoring(undefined);
    void run(work);
  };
  const data = volumes.data;
  return (
    <>
      <CreateVolumeForm session={session} snapshots={data?.snaps ?? []} onCreate={(body) => void run(() => call(session, VOLUME_SERVICE, '/volumes', { method: 'POST', body }))} />
      {pending && (
        <PendingForm
          session={session}
          pending={pending}
          servers={servers.data ?? []}
          onCancel={() => setPending(undefined)}
          onRun={runPending}
        />
      )}
      {restoring && <RestoreForm session={session} backup={restoring} volumes={data?.vols ?? []} onCancel={() => setRestoring(undefined)} onRun={runPending} />}
      <ErrorBox error={error ?? volumes.error} />
      {data === undefined ? (
        <Loading what="volumes" />
      ) : data.vols.length === 0 ? (
        <p class="muted">No volumes in this project.</p>
      ) : (
        <DataTable headings={['Name', 'Size', 'Status', 'Attached to', 'Actions']}>
          {data.vols.map((volume) => (
            <tr key={volume.id} data-volume={volumeName(volume)}>
              <td>{volumeName(volume)}</td>
              <td>{volume.size} GiB</td>
              <td>
                <StatusBadge status={volume.status} />
              </td>
              <td>{volume.attachments.map((a) => `${serverName(a.server_id)}${a.device ? ` on ${a.device}` : ''}`).join(', ')}</td>
              <td class="row-buttons">
                {volumeActions(volume.status).map((action) => (
                  <button
                    key={action}
                    type="button"
                    class={action === 'delete' ? 'danger' : ''}
                    aria-label={`${ACTION_LABELS[action]} volume ${volumeName(volume)}`}
                    onClick={() => start(action, volume)}
                  >
                    {ACTION_LABELS[action]}
                  </button>
                ))}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <h2>Volume snapshots</h2>
      {data !== undefined && data.snaps.length === 0 ? (
        <p class="muted">No volume snapshots in this project.</p>
      ) : (
        <DataTable headings={['Name', 'Size', 'Status', 'Volume', 'Actions']}>
          {(data?.snaps ?? []).map((snap) => (
            <tr key={snap.id} data-snapshot={volumeName(snap)}>
              <td>{volumeName(snap)}</td>
              <td>{snap.size} GiB</td>
              <td>
                <StatusBadge status={snap.status} />
              </td>
              <td>{volumeName(data?.vols.find((v) => v.id === snap.volume_id) ?? { id: snap.volume_id, name: null })}</td>
              <td>
                {snapshotDeletable(snap.status) && (
                  <DeleteButton what={`snapshot ${volumeName(snap)}`} onClick={() => setDeleting({ kind: 'snapshots', item: snap })} />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <h2>Volume backups</h2>
      {data !== undefined && (
        <BackupsTable backups={data.backups} volumes={data.vols} onRestore={setRestoring} onDelete={(backup) => setDeleting({ kind: 'backups', item: backup })} />
      )}
      {deleting && (
        <Confirm
          question={`Delete ${KIND_NAMES[deleting.kind]} ${volumeName(deleting.item)}?`}
          confirmLabel="Delete"
          onConfirm={() => remove(deleting)}
          onCancel={() => setDeleting(undefined)}
        />
      )}
    </>
  );
}

const ACTION_LABELS: Readonly<Record<VolumeAction, string>> = {
  attach: 'Attach',
  detach: 'Detach',
  extend: 'Extend',
  snapshot: 'Snapshot',
  backup: 'Back up',
  delete: 'Delete',
};

interface CreateVolumeFormProps {
  readonly session: Session;
  readonly snapshots: readonly Snapshot[];
  readonly onCreate: (body: unknown) => void;
}

/** A blank volume, or one made from an image or a snapshot (its size at least the source's). */
function CreateVolumeForm({ session, snapshots, onCreate }: CreateVolumeFormProps) {
  const [kind, setKind] = useState<VolumeSource['kind']>('blank');
  const images = useLoad(() => (kind === 'image' ? listImages(session) : Promise.resolve([])), [session.token, kind]);
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const source: VolumeSource = kind === 'blank' ? { kind } : { kind, id: field(form, 'source') };
    onCreate(volumeCreateBody(field(form, 'name'), Number(field(form, 'size')), source));
  };
  const choices =
    kind === 'image'
      ? (images.data ?? []).filter((i) => i.status === 'active').map((i) => ({ id: i.id, label: i.name ?? i.id }))
      : snapshots.filter((s) => s.status === 'available').map((s) => ({ id: s.id, label: volumeName(s) }));
  return (
    <form class="inline-form" onSubmit={submit} aria-label="Create a volume">
      <label>
        Volume name
        <input name="name" />
      </label>
      <label>
        Size (GiB)
        <input name="size" type="number" min={1} defaultValue="1" required />
      </label>
      <label>
        Source
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as VolumeSource['kind'])}>
          <option value="blank">Blank volume</option>
          <option value="image">Image</option>
          <option value="snapshot">Volume snapshot</option>
        </select>
      </label>
      {kind !== 'blank' && (
        <label>
          {kind === 'image' ? 'Source image' : 'Source snapshot'}
          <select name="source" required>
            {choices.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="submit" class="primary">
        Create volume
      </button>
    </form>
  );
}

interface PendingFormProps {
  readonly session: Session;
  readonly pending: Pending;
  readonly servers: readonly { readonly id: string; readonly name: string }[];
  readonly onCancel: () => void;
  readonly onRun: (work: () => Promise<unknown>) => void;
}

/** The extra input an attach (which instance), extend (new size), snapshot or backup (its name) needs. */
function PendingForm({ session, pending, servers, onCancel, onRun }: PendingFormProps) {
  const { action, volume } = pending;
  const [problem, setProblem] = useState<Error | undefined>(undefined);
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    if (action === 'attach') onRun(() => attachVolume(session, field(form, 'server'), volume.id));
    else if (action === 'snapshot') {
      const snapshot = { volume_id: volume.id, name: field(form, 'name') || `${volumeName(volume)}-snapshot`, force: volume.status === 'in-use' };
      onRun(() => call(session, VOLUME_SERVICE, '/snapshots', { method: 'POST', body: { snapshot } }));
    } else if (action === 'backup') {
      const body = backupCreateBody(volume, field(form, 'name'), form.get('incremental') !== null);
      onRun(() => call(session, VOLUME_SERVICE, '/backups', { method: 'POST', body }));
    } else {
      const size = extendSize(volume.size, field(form, 'size'));
      if (typeof size === 'string') setProblem(new Error(size));
      else onRun(() => volumeAction(session, volume.id, { 'os-extend': { new_size: size } }));
    }
  };
  const title = `${ACTION_LABELS[action]} volume ${volumeName(volume)}`;
  return (
    <form class="inline-form" onSubmit={submit} aria-label={title}>
      <strong>{title}</strong>
      {action === 'attach' && (
        <label>
          Instance
          <select name="server" required>
            {servers.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {action === 'extend' && (
        <label>
          New size (GiB)
          <input name="size" type="number" defaultValue={String(volume.size + 1)} required />
        </label>
      )}
      {action === 'snapshot' && (
        <label>
          Snapshot name
          <input name="name" />
        </label>
      )}
      {action === 'backup' && (
        <>
          <label>
            Backup name
            <input name="name" />
          </label>
          <label class="check">
            <input name="incremental" type="checkbox" />
            Incremental (changes since the last backup)
          </label>
        </>
      )}
      <button type="submit" class="primary">
        {ACTION_LABELS[action]}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <ErrorBox error={problem} />
    </form>
  );
}
