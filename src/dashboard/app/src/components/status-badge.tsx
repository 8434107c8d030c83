const TONES: Readonly<Record<string, string>> = {
  ACTIVE: 'ok',
  available: 'ok',
  active: 'ok',
  up: 'ok',
  enabled: 'ok',
  ERROR: 'bad',
  killed: 'bad',
  down: 'bad',
  disabled: 'bad',
  SHUTOFF: 'off',
  PAUSED: 'off',
  SUSPENDED: 'off',
  SHELVED_OFFLOADED: 'off',
  SHELVED: 'off',
};

/** A status as a coloured badge; unknown ones (BUILD, REBOOT, saving) read as in progress. */
export function StatusBadge({ status, task }: { status: string; task?: string | null }) {
  const tone = TONES[status] ?? 'busy';
  return (
    <span class={`badge ${tone}`} data-status={status}>
      {status}
      {task ? ` (${task})` : ''}
    </span>
  );
}
