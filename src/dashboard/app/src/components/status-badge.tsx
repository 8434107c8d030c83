const TONES: Readonly<Record<string, string>> = {
  ACTIVE: 'ok',
  available: 'ok',
  'in-use': 'ok',
  active: 'ok',
  up: 'ok',
  enabled: 'ok',
  ERROR: 'bad',
  error: 'bad',
  error_deleting: 'bad',
  error_extending: 'bad',
  error_restoring: 'bad',
  killed: 'bad',
  down: 'bad',
  disabled: 'bad',
  SHUTOFF: 'off',
  DOWN: 'off',
  PAUSED: 'off',
  SUSPENDED: 'off',
  SHELVED_OFFLOADED: 'off',
  SHELVED: 'off',
};

/** A status as a coloured badge; unknown ones (BUILD, REBOOT, saving, attaching) read as in progress. */
export function StatusBadge({ status, task }: { status: string; task?: string | null }) {
  const tone = TONES[status] ?? 'busy';
  return (
    <span class={`badge ${tone}`} data-status={status}>
      {status}
      {task ? ` (${task})` : ''}
    </span>
  );
}
