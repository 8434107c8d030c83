import { useState } from 'preact/hooks';
import { call } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { VOLUME_SERVICE, type Backup, type Volume } from '../api/volume.js';
import { DataTable } from '../components/data-table.js';
import { DeleteButton } from '../components/delete-button.js';
import { field } from '../components/form-field.js';
import { StatusBadge } from '../components/status-badge.js';
import { backupActions, restoreBody, restoreTargets, volumeName } from '../logic/volume-states.js';

interface BackupsTableProps {
  readonly backups: readonly Backup[];
  readonly volumes: readonly Volume[];
  readonly onRestore: (backup: Backup) => void;
  readonly onDelete: (backup: Backup) => void;
}

/** The project's volume backups with what each offers now (restore, delete). */
export function BackupsTable({ backups, volumes, onRestore, onDelete }: BackupsTableProps) {
  if (backups.length === 0) return <p class="muted">No volume backups in this project.</p>;
  // A backup outlives its volume: the id stands in for a deleted one.
  const sourceName = (id: string) => volumeName(volumes.find((v) => v.id === id) ?? { id, name: null });
  return (
    <DataTable headings={['Name', 'Size', 'Status', 'Volume', 'Kind', 'Created', 'Actions']}>
      {backups.map((backup) => (
        <tr key={backup.id} data-backup={volumeName(backup)}>
          <td>{volumeName(backup)}</td>
          <td>{backup.size} GiB</td>
          <td>
            <StatusBadge status={backup.status} />
            {backup.fail_reason && <span class="muted"> {backup.fail_reason}</span>}
          </td>
          <td>{sourceName(backup.volume_id)}</td>
          <td>{backup.is_incremental ? 'incremental' : 'full'}</td>
          <td>{backup.created_at}</td>
          <td class="row-buttons">
            {backupActions(backup).map((action) =>
              action === 'restore' ? (
                <button key={action} type="button" aria-label={`Restore backup ${volumeName(backup)}`} onClick={() => onRestore(backup)}>
                  Restore
                </button>
              ) : (
                <DeleteButton key={action} what={`backup ${volumeName(backup)}`} onClick={() => onDelete(backup)} />
              ),
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

interface RestoreFormProps {
  readonly session: Session;
  readonly backup: Backup;
  readonly volumes: readonly Volume[];
  readonly onCancel: () => void;
  readonly onRun: (work: () => Promise<unknown>) => void;
}

/** Where a backup goes back to: a new volume Cinder makes (named or not), or an available volume large enough. */
export function RestoreForm({ session, backup, volumes, onCancel, onRun }: RestoreFormProps) {
  const [target, setTarget] = useState('');
  const submit = (event: Event) => {
    event.preventDefault();
    const body = restoreBody(target, field(new FormData(event.currentTarget as HTMLFormElement), 'name'));
    onRun(() => call(session, VOLUME_SERVICE, `/backups/${backup.id}/restore`, { method: 'POST', body }));
  };
  const title = `Restore backup ${volumeName(backup)}`;
  return (
    <form class="inline-form" onSubmit={submit} aria-label={title}>
      <strong>{title}</strong>
      <label>
        Restore into
        <select name="volume" value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
          <option value="">A new volume</option>
          {restoreTargets(volumes, backup).map((v) => (
            <option key={v.id} value={v.id}>
              {volumeName(v)} ({v.size} GiB)
            </option>
          ))}
        </select>
      </label>
      {target === '' && (
        <label>
          New volume name
          <input name="name" />
        </label>
      )}
      <button type="submit" class="primary">
        Restore
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
