/**
 * The backup service's RPC API (cinder-backup's BackupAPI): topic `cinder-backup`, one server per
 * node (`[DEFAULT] host`). Every verb is a cast; the service records the outcome in the backup's
 * and the volume's rows, as Cinder's backup manager does.
 */
export const BACKUP_TOPIC = 'cinder-backup';
export const BACKUP_API_VERSION = '1.0';

export interface BackupArgs {
  readonly backupId: string;
}

export interface RestoreBackupArgs {
  readonly backupId: string;
  /** The target volume (a new one may still be creating). */
  readonly volumeId: string;
}

export interface ImportRecordArgs {
  readonly backupId: string;
  /** The driver the exported record names: only a backup service running it can take the record. */
  readonly backupService: string;
}

/** The closed table of verbs, by wire name. */
export interface BackupManagerVerbs {
  create_backup: BackupArgs;
  restore_backup: RestoreBackupArgs;
  delete_backup: BackupArgs;
  import_record: ImportRecordArgs;
}
