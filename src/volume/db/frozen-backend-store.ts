/** The one door to volume_frozen_backends: the `frozen` of Cinder's volume services, by backend host. */
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { VolumeTableStore } from './table-store.js';

export class FrozenBackendStore extends VolumeTableStore {
  /** The backends an administrator froze. */
  async frozenBackends(): Promise<Set<string>> {
    return new Set((await this.db.selectFrom('volume_frozen_backends').select('host').execute()).map((row) => row.host));
  }

  /** Whether the backend `host@backend` is frozen. */
  async isFrozen(host: string): Promise<boolean> {
    return (await this.db.selectFrom('volume_frozen_backends').select('host').where('host', '=', host).executeTakeFirst()) !== undefined;
  }

  /** Freezes (true) or thaws `hosts`; the ones whose state changed. */
  async setFrozen(hosts: readonly string[], frozen: boolean): Promise<string[]> {
    const before = await this.frozenBackends();
    const changing = hosts.filter((host) => before.has(host) !== frozen);
    if (changing.length === 0) return [];
    if (frozen) {
      const createdAt = toDbTimestamp(this.now());
      await this.db.insertInto('volume_frozen_backends').values(changing.map((host) => ({ host, created_at: createdAt }))).execute();
    } else {
      await this.db.deleteFrom('volume_frozen_backends').where('host', 'in', changing).execute();
    }
    return changing;
  }
}
