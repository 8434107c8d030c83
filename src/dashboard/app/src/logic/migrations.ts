/**
 * The moves an administrator makes on a server from the admin instances page, offered in the
 * statuses Nova accepts them in (nova/compute/api.py's check_instance_state), and their bodies.
 */
export type Migration = 'live-migrate' | 'migrate' | 'confirm-migration' | 'revert-migration';

const BY_STATUS: Readonly<Record<string, readonly Migration[]>> = {
  ACTIVE: ['live-migrate', 'migrate'],
  PAUSED: ['live-migrate'],
  SHUTOFF: ['migrate'],
  // A cold migration waits for its confirmation as a resize does.
  VERIFY_RESIZE: ['confirm-migration', 'revert-migration'],
};

export function migrationsFor(status: string): readonly Migration[] {
  return BY_STATUS[status] ?? [];
}

/**
 * The server action's body; `host` '' lets the scheduler choose. Live migration's `block_migration:
 * auto` (2.25) lets Nova pick shared storage or a block migration; a named host is checked by the
 * scheduler (2.68 dropped `force`), and a cold migration's host needs 2.56.
 */
export function migrationBody(migration: Migration, host: string): Record<string, unknown> {
  const target = host === '' ? null : host;
  switch (migration) {
    case 'live-migrate':
      return { 'os-migrateLive': { host: target, block_migration: 'auto' } };
    case 'migrate':
      return { migrate: target === null ? null : { host: target } };
    case 'confirm-migration':
      return { confirmResize: null };
    case 'revert-migration':
      return { revertResize: null };
  }
}
