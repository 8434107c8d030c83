/**
 * Cinder's quotas for a project: limits (the project's own, else the `default` quota class's,
 * else the configured defaults; -1 is no limit), what it uses (counted from its volumes, snapshots, backups and groups), and the checks a create or an
 * extend passes before anything is written. Each volume type has its own `volumes_<type>`,
 * `gigabytes_<type>` and `snapshots_<type>` (Cinder's VolumeTypeQuotaEngine), unlimited unless set,
 * checked beside the totals (Cinder's add_volume_type_opts). A check and the write it allows run
 * together under the project's lock (`exclusive`), so concurrent requests cannot both pass a limit.
 */
import type { BackupStore } from '../db/backup-store.js';
import type { GroupStore } from '../db/group-store.js';
import type { ProjectLockStore } from '../db/project-lock-store.js';
import type { QuotaClassStore } from '../db/quota-class-store.js';
import type { HeldUsage, VolumeStore, VolumeUsage } from '../db/volume-store.js';
import { QuotaExceeded } from './volume-errors.js';

export const QUOTA_RESOURCES = ['volumes', 'snapshots', 'gigabytes', 'backups', 'backup_gigabytes', 'groups', 'per_volume_gigabytes'] as const;
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];
export type QuotaLimits = Readonly<Record<QuotaResource, number>>;

/** The quota class every project's defaults come from (Cinder's _DEFAULT_QUOTA_NAME). */
export const DEFAULT_QUOTA_CLASS = 'default';

/** Cinder's per-volume-type resources, `<resource>_<type name>`: unlimited (-1) unless a class sets them. */
const PER_TYPE_RESOURCES = ['volumes', 'snapshots', 'gigabytes'] as const;
type CountedResource = (typeof PER_TYPE_RESOURCES)[number];
/** What a change adds of the counted resources (Cinder's reserve_opts). */
type Deltas = Partial<Record<CountedResource, number>>;

/** One quota reservation asked for (Cinder's QUOTAS.reserve after add_volume_type_opts). */
interface Reservation {
  readonly deltas: Deltas;
  /** The volume type whose own resources count too; absent: the totals only. */
  readonly volumeTypeId?: string;
  /** Only the type's resources (a retype: the totals do not change). */
  readonly typeOnly?: boolean;
  /** Held already by the same request, counted as used (a transfer's volume before its snapshots). */
  readonly pending?: Reservation;
  /** What an over-limit count is reported as (Cinder's process_reserve_over_quota `resource`). */
  readonly resource: 'volumes' | 'snapshots';
  /** The gigabytes reported as requested. */
  readonly sizeGb: number;
}

/** What a project uses, per resource. */
export type QuotaUsage = Readonly<Record<QuotaResource, number>>;

/** One resource of os-quota-sets with usage: what is used, and what changes in progress reserved (Cinder's in_use and reserved). */
export interface ResourceUsage {
  readonly inUse: number;
  readonly reserved: number;
}

/** Used and reserved together: what a new reservation is counted on top of (Cinder's usage `total`). */
const heldOf = ({ inUse, reserved }: HeldUsage): VolumeUsage => ({
  volumes: inUse.volumes + reserved.volumes,
  snapshots: inUse.snapshots + reserved.snapshots,
  gigabytes: inUse.gigabytes + reserved.gigabytes,
});

export class VolumeQuotas {
  constructor(
    private readonly store: VolumeStore,
    /** The configured quota_* values, where the `default` class sets none. */
    private readonly configured: QuotaLimits,
    private readonly backups: Pick<BackupStore, 'usageOf'>,
    private readonly classes: QuotaClassStore,
    private readonly groups: Pick<GroupStore, 'countGroupsOf'>,
    private readonly locks: ProjectLockStore,
  ) {}

  /**
   * Runs `work` (a check, then the write it allowed) as one step among the project's: Cinder
   * reserves before it writes; Nimbus counts, so the count and the write must not interleave.
   */
  exclusive<T>(projectId: string, work: () => Promise<T>): Promise<T> {
    return this.locks.withLock(projectId, work);
  }

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
   * the configured ones, and the per-volume-type resources of every type.
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

  /** What a project uses, without what its changes in progress reserved (the `in_use` of /limits' totals). */
  async usage(projectId: string): Promise<QuotaUsage> {
    return Object.fromEntries(Object.entries(await this.#globalUsage(projectId)).map(([resource, { inUse }]) => [resource, inUse])) as QuotaUsage;
  }

  async #globalUsage(projectId: string): Promise<Record<QuotaResource, ResourceUsage>> {
    const [{ inUse, reserved }, backups, groups] = await Promise.all([this.store.usageOf(projectId), this.backups.usageOf(projectId), this.groups.countGroupsOf(projectId)]);
    const usedOnly = (used: number): ResourceUsage => ({ inUse: used, reserved: 0 });
    return {
      volumes: { inUse: inUse.volumes, reserved: reserved.volumes },
      snapshots: { inUse: inUse.snapshots, reserved: reserved.snapshots },
      gigabytes: { inUse: inUse.gigabytes, reserved: reserved.gigabytes },
      backups: usedOnly(backups.backups),
      backup_gigabytes: usedOnly(backups.gigabytes),
      groups: usedOnly(groups),
      per_volume_gigabytes: usedOnly(0),
    };
  }

  /** A volume type renamed: its per-type limits follow it, in every project and class (Cinder's update_quota_resource). */
  async renameType(oldName: string, newName: string): Promise<void> {
    const renames = new Map(PER_TYPE_RESOURCES.map((resource) => [`${resource}_${oldName}`, `${resource}_${newName}`]));
    await this.store.renameQuotaResources(renames);
    await this.classes.renameResources(renames);
  }

  /** Sets a project's limits: resources of projectLimits (the route checks the names). */
  async update(projectId: string, limits: ReadonlyMap<string, number>): Promise<void> {
    await this.store.setQuotaLimits(projectId, limits);
  }

  async reset(projectId: string): Promise<void> {
    await this.store.deleteQuotaLimits(projectId);
  }

  /**
   * A project's limits with the per-volume-type resources of every type (Cinder's get_project_quotas):
   * the project's own, else the `default` class's, else the configured ones (-1 for a type's).
   */
  async projectLimits(projectId: string): Promise<Record<string, number>> {
    const [own, global, types, defaults] = await Promise.all([this.store.quotaLimits(projectId), this.limits(projectId), this.store.listTypes(), this.classes.limits(DEFAULT_QUOTA_CLASS)]);
    const perType = types.flatMap((type) => PER_TYPE_RESOURCES.map((resource) => `${resource}_${type.name}`));
    return { ...global, ...Object.fromEntries(perType.map((resource) => [resource, own.get(resource) ?? defaults.get(resource) ?? -1])) };
  }

  /** What a project uses and has reserved of each resource of projectLimits. */
  async projectUsage(projectId: string): Promise<Record<string, ResourceUsage>> {
    const [global, byType, types] = await Promise.all([this.#globalUsage(projectId), this.store.usageByType(projectId), this.store.listTypes()]);
    const perType = types.flatMap((type) =>
      PER_TYPE_RESOURCES.map((resource) => {
        const held = byType.get(type.id);
        return [`${resource}_${type.name}`, { inUse: held?.inUse[resource] ?? 0, reserved: held?.reserved[resource] ?? 0 }] as const;
      }),
    );
    return { ...global, ...Object.fromEntries(perType) };
  }

  /** A new volume (count it) or an extension (only the gigabytes) of `sizeGb`, of the volume type `volumeTypeId`. */
  async checkVolume(projectId: string, sizeGb: number, options: { readonly newVolume: boolean; readonly totalSizeGb: number; readonly volumeTypeId: string }): Promise<void> {
    await this.#checkPerVolume(projectId, options.totalSizeGb);
    await this.#reserve(projectId, {
      deltas: options.newVolume ? { volumes: 1, gigabytes: sizeGb } : { gigabytes: sizeGb },
      volumeTypeId: options.volumeTypeId,
      resource: 'volumes',
      sizeGb,
    });
  }

  /** A snapshot of a volume of `sizeGb` and of the volume type `volumeTypeId`. */
  async checkSnapshot(projectId: string, sizeGb: number, volumeTypeId: string): Promise<void> {
    await this.#reserve(projectId, { deltas: { snapshots: 1, gigabytes: sizeGb }, volumeTypeId, resource: 'snapshots', sizeGb });
  }

  /**
   * A volume of the type `volumeTypeId` (and `snapshots` of its snapshots) handed to the project by a
   * transfer (Cinder's accept): the volume's reservation first, then its snapshots' on top of it.
   */
  async checkTransfer(projectId: string, volumeTypeId: string, moving: { readonly volumeGb: number; readonly snapshots: number; readonly snapshotGb: number }): Promise<void> {
    await this.#checkPerVolume(projectId, moving.volumeGb);
    const volume: Reservation = { deltas: { volumes: 1, gigabytes: moving.volumeGb }, volumeTypeId, resource: 'volumes', sizeGb: moving.volumeGb };
    await this.#reserve(projectId, volume);
    if (moving.snapshots === 0) return;
    await this.#reserve(projectId, { deltas: { snapshots: moving.snapshots, gigabytes: moving.snapshotGb }, volumeTypeId, pending: volume, resource: 'snapshots', sizeGb: moving.snapshotGb });
  }

  /**
   * A retype to `newTypeId` (Cinder's get_volume_type_reservation with reserve_vol_type_only): the
   * volume, its snapshots and their gigabytes against the new type's own limits; the totals stay.
   */
  async checkRetype(projectId: string, newTypeId: string, volume: { readonly sizeGb: number; readonly snapshots: number; readonly snapshotGb: number }): Promise<void> {
    await this.#reserve(projectId, {
      deltas: { volumes: 1, gigabytes: volume.sizeGb + volume.snapshotGb, ...(volume.snapshots > 0 ? { snapshots: volume.snapshots } : {}) },
      volumeTypeId: newTypeId,
      typeOnly: true,
      resource: 'volumes',
      sizeGb: volume.sizeGb,
    });
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

  async #checkPerVolume(projectId: string, totalSizeGb: number): Promise<void> {
    const perVolume = (await this.limits(projectId)).per_volume_gigabytes;
    if (perVolume >= 0 && totalSizeGb > perVolume) {
      throw new QuotaExceeded(`Requested volume size ${totalSizeGb}G is larger than maximum allowed limit ${perVolume}G.`);
    }
  }

  /** The resources a reservation counts against, each with what it adds and what is used (Cinder's deltas and usages). */
  async #asked(projectId: string, reservation: Reservation): Promise<Map<string, { delta: number; used: number }>> {
    const type = reservation.volumeTypeId === undefined ? undefined : await this.store.findType({ id: reservation.volumeTypeId });
    const [globalHeld, byType] = await Promise.all([this.store.usageOf(projectId), this.store.usageByType(projectId)]);
    const global = heldOf(globalHeld);
    const typeHeld = type === undefined ? undefined : byType.get(type.id);
    const ofType: VolumeUsage = typeHeld === undefined ? { volumes: 0, snapshots: 0, gigabytes: 0 } : heldOf(typeHeld);
    const pending = reservation.pending === undefined ? new Map<string, { delta: number; used: number }>() : await this.#asked(projectId, reservation.pending);
    const asked = new Map<string, { delta: number; used: number }>();
    for (const resource of PER_TYPE_RESOURCES) {
      const delta = reservation.deltas[resource];
      if (delta === undefined) continue;
      const names: [string, number][] = [];
      if (reservation.typeOnly !== true) names.push([resource, global[resource]]);
      if (type !== undefined) names.push([`${resource}_${type.name}`, ofType[resource]]);
      for (const [name, used] of names) asked.set(name, { delta, used: used + (pending.get(name)?.delta ?? 0) });
    }
    return asked;
  }

  /** Refuses a reservation over any limit, in the words of Cinder's process_reserve_over_quota (its overs sorted by name). */
  async #reserve(projectId: string, reservation: Reservation): Promise<void> {
    const [asked, limits] = await Promise.all([this.#asked(projectId, reservation), this.projectLimits(projectId)]);
    const overs = [...asked]
      .filter(([name, { delta, used }]) => {
        const limit = limits[name] ?? -1;
        return limit >= 0 && delta >= 0 && limit < delta + used;
      })
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const unexpected: string[] = [];
    for (const [name, { used }] of overs) {
      const limit = limits[name] ?? -1;
      if (name.includes('gigabytes')) {
        throw new QuotaExceeded(`Requested volume or snapshot exceeds allowed ${name} quota. Requested ${reservation.sizeGb}G, quota is ${limit}G and ${used}G has been consumed.`);
      }
      if (name.includes(reservation.resource)) {
        throw new QuotaExceeded(
          reservation.resource === 'volumes' ? `Maximum number of volumes allowed (${limit}) exceeded for quota '${name}'.` : `Maximum number of snapshots allowed (${limit}) exceeded`,
        );
      }
      unexpected.push(name);
    }
    if (unexpected.length > 0) throw new QuotaExceeded(`Unexpected over quota on ${unexpected.join(', ')}.`);
  }
}
