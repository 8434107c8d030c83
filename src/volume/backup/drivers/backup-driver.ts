/**
 * The seam between the backup service and where backups are kept (Cinder's BackupDriver). A
 * backup reads a volume's bytes from a local path the volume driver opened and stores them as
 * checksummed objects; a restore writes them back and refuses data whose checksum changed.
 * Implementations: `posix/` (chunks in a directory). Every one runs `backup-driver.contract.ts`.
 */

export interface CreateBackupRequest {
  readonly backupId: string;
  readonly volumeId: string;
  /** Where the volume's (or its snapshot's) bytes are read from on this host. */
  readonly sourcePath: string;
  /** Bytes to back up (the volume's size). */
  readonly sizeBytes: number;
  /** The backup this one is incremental to (only changed blocks are stored); absent: a full backup. */
  readonly parentId?: string;
  /** The container the user named (shared by the backups naming it); absent: the driver's own, one per backup. */
  readonly container?: string;
  /** The volume's metadata, kept with the data and given back by the restore (Cinder's backup metadata object). */
  readonly volumeMetadata?: Readonly<Record<string, string>>;
  /** The volume's image metadata (Cinder's volume_glance_metadata), kept likewise; absent when it has none. */
  readonly imageMetadata?: Readonly<Record<string, string>>;
  /** Called as data is read: bytes done so far. */
  readonly onProgress?: (doneBytes: number) => void;
}

export interface BackupResult {
  /** Objects this backup stored (Cinder's object_count). */
  readonly objectCount: number;
  /** Bytes this backup stored, compressed (what it costs on disk). */
  readonly storedBytes: number;
  /** Where the backup lives, as Cinder's `container`. */
  readonly container: string;
}

export interface RestoreBackupRequest {
  readonly backupId: string;
  /** Where its data lives: the container createBackup answered (an imported record names another backup's). */
  readonly container: string;
  /** Where the target volume's bytes are written on this host. */
  readonly targetPath: string;
  readonly onProgress?: (doneBytes: number, totalBytes: number) => void;
}

export interface RestoredBackup {
  /** The volume's metadata at backup time; null for a backup that kept none. */
  readonly volumeMetadata: Readonly<Record<string, string>> | null;
  /** The volume's image metadata at backup time; null for a backup that kept none. */
  readonly imageMetadata: Readonly<Record<string, string>> | null;
}

export interface BackupDriver {
  /** Cinder's `service` column: which driver wrote a backup. */
  readonly serviceName: string;
  /** Prepares the store (directories); throws when it cannot serve. */
  setUp(): Promise<void>;
  /** Stores the backup; on failure nothing of it remains. Counter-action: deleteBackup. */
  createBackup(request: CreateBackupRequest): Promise<BackupResult>;
  /**
   * Writes the backup's data (its parents' first, for an incremental) to the target, checking
   * every object's sha256 before it is used; a mismatch or a missing object is a BackupCorrupt.
   */
  restoreBackup(request: RestoreBackupRequest): Promise<RestoredBackup>;
  /** Removes the backup's objects and files from its container; one already gone is not an error. */
  deleteBackup(container: string, backupId: string): Promise<void>;
}

/** A stored backup failed its checks (an object changed or went missing): the restore must not succeed. */
export class BackupCorrupt extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupCorrupt';
  }
}
