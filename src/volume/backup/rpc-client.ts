/** The caller's side of the backup service's RPC API (the volume API's BackupAPI). */
import { RpcClient, type Transport } from '../../common/bus/index.js';
import { BACKUP_API_VERSION, BACKUP_TOPIC, type BackupManagerVerbs } from './rpc-api.js';

export class BackupManagerRpcClient {
  readonly #rpc: RpcClient;

  constructor(transport: Transport, timeoutSeconds: number) {
    this.#rpc = new RpcClient(transport, { topic: BACKUP_TOPIC, version: BACKUP_API_VERSION, timeoutSeconds });
  }

  #cast<K extends keyof BackupManagerVerbs>(host: string, method: K, args: BackupManagerVerbs[K]): Promise<void> {
    return this.#rpc.cast(method, args, { server: host });
  }

  createBackup(host: string, backupId: string): Promise<void> {
    return this.#cast(host, 'create_backup', { backupId });
  }

  restoreBackup(host: string, backupId: string, volumeId: string): Promise<void> {
    return this.#cast(host, 'restore_backup', { backupId, volumeId });
  }

  deleteBackup(host: string, backupId: string): Promise<void> {
    return this.#cast(host, 'delete_backup', { backupId });
  }

  importRecord(host: string, backupId: string, backupService: string): Promise<void> {
    return this.#cast(host, 'import_record', { backupId, backupService });
  }
}
