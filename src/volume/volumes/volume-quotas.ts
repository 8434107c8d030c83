/**
 * Cinder's quotas for a project: limits (the project's own, else the `default` quota class's,
 * else the configured defaults; -1 is no limit), what it uses (counted from its volumes, snapshots, backups and groups), and the checks a create or an
 * extend passes before anything is written.
 */
import type { BackupStore } from '../db/backup-store.js';
import type { GroupStore } from '../db/group-store.js';
import type { QuotaClassStore } from '../db/quota-class-store.js';
import type { VolumeStore } from '../db/volume-store.js';
import { QuotaExceeded } from './volume-errors.js';

export const QUOTA_RESOURCES = ['volumes', 'snapshots', 'gigabytes', 'backups', 'backup_gigabytes', 'groups', 'per_volume_gigabytes'] as const;
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];
export type QuotaLimits = Readonly<Record<QuotaResource, number>>;

export function isQuotaResource(name: string): name is QuotaResource {
  return (QUOTA_RESOURCES as readonly string[]).includes(name);
}

/** The quota class every project's defaults come from (Cinder's _DEFAULT_QUOTA_NAME). */
export const DEFAULT_QUOTA_CLASS = 'default';

/** Cinder's per-volume-type resources, `<resource>_<type name>`: unlimited (-1) unless a class sets them. */
const PER_TYPE_RESOURCES = ['volumes', 'snapshots', 'gigabytes'] as const;

/** What a project holds, per resource. */
export type QuotaUsage = Readonly<Record<QuotaResource, number>>;

export class VolumeQuotas {
  constructor(
    private readonly store: VolumeStore,
    /** The configured quota_* values, where the `default` class sets none. */
    private readonly configured: QuotaLimits,
    private readonly backups: Pick<BackupStore, 'usageOf'>,
    private readonly classes: QuotaClassStore,
    private readonly groups: Pick<GroupStore, 'countGroupsOf'>,
  ) {}

  /** What a project without limits of its own gets: the `default` class over the configured values. */
  async defaults(): Promise<QuotaLimits> {
    const fromClass = await this.classes.limits(DEFAULT_QUOTA_CLASS);
    return Object.fromEntries(QUOTA_RESOURCES.map((resource) => [resource, fromClass.get(resource) ?? this.configured[resource]])) as QuotaLimits;
  }

  async limits(projectId: string): Promise<QuotaLimits> {
    const [own, defaults] = await Promise.all([this.store.quotaLimits(projectId), this.defaults()]);
    return Object.fromEntries(QUOTA_RESOURCES.map((resource) => [resource, own.get(resource) ?? defaults[resource]])) as QuotaLimits;
  }

  /**
   * A quota class's limits (Cinder's get_class_quotas): its own, else the `default` class's, else
   * the configured ones, and the per-volume-type resources of every type. Those per-type limits are
   * stored and shown as Cinder does, but volumes and snapshots are checked only against the totals.
   */
  async classLimits(className: string): Promise<Record<string, number>> {
    const [own, defaults, types] = await Promise.all([this.classes.limits(className), this.classes.limits(DEFAULT_QUOTA_CLASS), this.store.listTypes()]);
    const limitOf = (resource: string, fallback: number) => own.get(resource) ?? defaults.get(resource) ?? fallback;
    const perType = types.flatMap((type) => PER_TYPE_RESOURCES.map((resource) => `${resource}_${type.name}`));
    return {
      ...Object.fromEntries(QUOTA_RESOURCES.map((resource) => [resource, limitOf(resource, this.configured[resource])])),
      ...Object.fromEntries(perType.map((resource) => [resource, limitOf(resource, -1)])),
    };
  }

  /** Sets a class's limits; Cinder stores any resource name it is given, shown only if it is one. */
  async updateClass(className: string, limits: ReadonlyMap<string, number>): Promise<void> {
    await this.classes.set(className, limits);
  }

  async usage(projectId: string): Promise<QuotaUsage> {
    const [used, backups, groups] = await Promise.all([this.store.usageOf(projectId), this.backups.usageOf(projectId), this.groups.countGroupsOf(projectId)]);
    return { volumes: used.volumes, snapshots: used.snapshots, gigabytes: used.gigabytes, backups: backups.backups, backup_gigabytes: backups.gigabytes, groups, per_volume_gigabytes: 0 };
  }

  async update(projectId: string, limits: ReadonlyMap<QuotaResource, number>): Promise<void> {
    await this.store.setQuotaLimits(projectId, limits);
  }

  async reset(projectId: string): Promise<void> {
    await this.store.deleteQuotaLimits(projectId);
  }

  /** A new volume (count it) or an extension (only the gigabytes) of `sizeGb`. */
  async checkVolume(projectId: string, sizeGb: number, options: { readonly newVolume: boolean; readonly totalSizeGb: number }): Promise<void> {
    const [limits, used] = await Promise.all([this.limits(projectId), this.store.usageOf(projectId)]);
    const perVolume = limits.per_volume_gigabytes;
    if (perVolume >= 0 && options.totalSizeGb > perVolume) {
      throw new QuotaExceeded(`Requested volume size ${options.totalSizeGb}G is larger than maximum allowed limit ${perVolume}G.`);
    }
    if (options.newVolume && limits.volumes >= 0 && used.volumes + 1 > limits.volumes) {
      throw new QuotaExceeded(`Maximum number of volumes allowed (${limits.volumes}) exceeded for quota 'volumes'.`);
    }
    this.#checkGigabytes(limits, used.gigabytes, sizeGb);
  }

  async checkSnapshot(projectId: string, sizeGb: number): Promise<void> {
    const [limits, used] = await Promise.all([this.limits(projectId), this.store.usageOf(projectId)]);
    if (limits.snapshots >= 0 && used.snapshots + 1 > limits.snapshots) {
      throw new QuotaExceeded(`Maximum number of snapshots allowed (${limits.snapshots}) exceeded`);
    }
    this.#checkGigabytes(limits, used.gigabytes, sizeGb);
  }

  /** A volume (and `snapshots` of its snapshots) handed to the project by a transfer: counts and gigabytes together. */
  async checkTransfer(projectId: string, moving: { readonly volumeGb: number; readonly snapshots: number; readonly snapshotGb: number }): Promise<void> {
    await this.checkVolume(projectId, moving.volumeGb + moving.snapshotGb, { newVolume: true, totalSizeGb: moving.volumeGb });
    if (moving.snapshots === 0) return;
    const [limits, used] = await Promise.all([this.limits(projectId), this.store.usageOf(projectId)]);
    if (limits.snapshots >= 0 && used.snapshots + moving.snapshots > limits.snapshots) {
      throw new QuotaExceeded(`Maximum number of snapshots allowed (${limits.snapshots}) exceeded`);
    }
  }

  /** A new backup of a volume of `sizeGb` (Cinder's BackupLimitExceeded and VolumeBackupSizeExceedsAvailableQuota). */
  async checkBackup(projectId: string, sizeGb: number): Promise<void> {
    const [limits, used] = await Promise.all([this.limits(projectId), this.backups.usageOf(projectId)]);
    if (limits.backups >= 0 && used.backups + 1 > limits.backups) {
      throw new QuotaExceeded(`Maximum number of backups allowed (${limits.backups}) exceeded`);
    }
    if (limits.backup_gigabytes >= 0 && used.gigabytes + sizeGb > limits.backup_gigabytes) {
      throw new QuotaExceeded(
        `Requested backup exceeds allowed Backup gigabytes quota. Requested ${sizeGb}G, quota is ${limits.backup_gigabytes}G and ${used.gigabytes}G has been consumed.`,
      );
    }
  }

  /** A new group (Cinder's GroupLimitExceeded). */
  async checkGroup(projectId: string): Promise<void> {
    const [limits, used] = await Promise.all([this.limits(projectId), this.groups.countGroupsOf(projectId)]);
    if (limits.groups >= 0 && used + 1 > limits.groups) throw new QuotaExceeded(`Maximum number of groups allowed (${limits.groups}) exceeded`);
  }

  #checkGigabytes(limits: QuotaLimits, consumed: number, sizeGb: number): void {
    if (limits.gigabytes >= 0 && consumed + sizeGb > limits.gigabytes) {
      throw new QuotaExceeded(
        `Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${sizeGb}G, quota is ${limits.gigabytes}G and ${consumed}G has been consumed.`,
      );
    }
  }
}
