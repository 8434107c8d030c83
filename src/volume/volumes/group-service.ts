/**
 * Cinder's generic volume groups (cinder/group/api.py): groups of volumes of the group's volume
 * types, changed together (delete with delete-volumes, add/remove members) and snapshotted together
 * (a group snapshot is one snapshot of each member, made through the snapshot service). A generic
 * group asks nothing of a backend here (Cinder's default driver has no group support either and
 * does the members one by one), so a group is available as soon as it is written.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context/request-context.js';
import { getLogger } from '../../common/logging/logger.js';
import type { GroupStore } from '../db/group-store.js';
import type { VolumeStore } from '../db/volume-store.js';
import type { GroupTypes } from './group-types.js';
import { DEFAULT_CGSNAPSHOT_TYPE, type Group, type GroupSnapshot, type GroupSnapshotStatus, type GroupStatus } from './group.js';
import type { SnapshotService } from './snapshot-service.js';
import { groupNotFound, groupSnapshotNotFound, invalidGroup, invalidGroupSnapshot, invalidInput, invalidVolume } from './volume-errors.js';
import type { VolumeQuotas } from './volume-quotas.js';
import type { VolumeService } from './volume-service.js';
import type { VolumeTypes } from './volume-types.js';
import type { Volume, VolumeStatus } from './volume.js';

const LOG = getLogger('nimbus.volume.groups');

const VALID_REMOVE_VOL_FROM_GROUP_STATUS: readonly VolumeStatus[] = ['available', 'in-use', 'error', 'error_deleting'];
const VALID_ADD_VOL_TO_GROUP_STATUS: readonly VolumeStatus[] = ['available', 'in-use'];

export interface GroupServiceDeps {
  readonly groups: GroupStore;
  readonly store: VolumeStore;
  readonly groupTypes: GroupTypes;
  readonly types: VolumeTypes;
  readonly volumes: VolumeService;
  readonly snapshots: SnapshotService;
  readonly quotas: Pick<VolumeQuotas, 'checkGroup' | 'exclusive'>;
  /** `[volume] storage_availability_zone`. */
  readonly availabilityZones: readonly string[];
}

export interface CreateGroupRequest {
  readonly name: string | null;
  readonly description: string | null;
  readonly groupType: string;
  readonly volumeTypes: readonly string[];
  readonly availabilityZone: string | null;
}

export interface GroupUpdate {
  readonly name?: string | null;
  readonly description?: string | null;
  /** Comma-separated volume ids, as Cinder takes them. */
  readonly addVolumes?: string;
  readonly removeVolumes?: string;
}

export type GroupSource = { readonly groupSnapshotId: string } | { readonly sourceGroupId: string };

const idsOf = (list: string | undefined): string[] => (list === undefined ? [] : list.replace(/^,+|,+$/g, '').split(',').filter((id) => id !== ''));

export class GroupService {
  constructor(private readonly deps: GroupServiceDeps) {}

  async get(context: RequestContext, id: string): Promise<Group> {
    const group = await this.deps.groups.findGroup(id);
    if (group === undefined || !(context.isAdmin === true || group.projectId === context.projectId)) throw groupNotFound(id);
    return group;
  }

  /** The caller's project's groups; with `allProjects` (an admin's all_tenants), every project's. */
  list(context: RequestContext, allProjects: boolean): Promise<Group[]> {
    return this.deps.groups.listGroups(allProjects && context.isAdmin === true ? undefined : (context.projectId ?? ''));
  }

  /** The group's volumes, for its view (3.25 list_volume) and its actions. */
  volumesOf(groupId: string): Promise<Volume[]> {
    return this.deps.store.listVolumes({ groupId }, []);
  }

  /** Cinder's _check_default_cgsnapshot_type: the migrated-CG type is the CG APIs' own. */
  async checkNotCgsnapshotType(groupTypeId: string): Promise<void> {
    const type = await this.deps.groups.findGroupType({ id: groupTypeId });
    if (type?.name === DEFAULT_CGSNAPSHOT_TYPE) {
      throw invalidInput(`Group_type ${groupTypeId} is reserved for migrating CGs to groups. Migrated group can only be operated by CG APIs.`);
    }
  }

  async create(context: RequestContext, request: CreateGroupRequest): Promise<Group> {
    const groupType = await this.deps.groupTypes.resolve(request.groupType);
    await this.checkNotCgsnapshotType(groupType.id);
    const volumeTypeIds: string[] = [];
    for (const wanted of request.volumeTypes) volumeTypeIds.push((await this.deps.types.resolveFor(context, wanted)).id);
    const zone = request.availabilityZone ?? this.deps.availabilityZones[0] ?? 'nova';
    if (!this.deps.availabilityZones.includes(zone)) throw invalidInput(`Availability zone '${zone}' is invalid.`);
    const group = this.#newGroup(context, { ...request, groupTypeId: groupType.id, volumeTypeIds, availabilityZone: zone, groupSnapshotId: null, sourceGroupId: null });
    await this.#insertWithinQuota(group);
    LOG.info(`Created group ${group.id} (type ${groupType.name}, volume types ${volumeTypeIds.join(',')})`);
    return group;
  }

  /**
   * create-from-src (3.14): a group of the source's types with a volume made from each snapshot of
   * the group snapshot, or cloned from each volume of the source group; the volumes are cast as any
   * volume create is.
   */
  async createFromSource(context: RequestContext, request: { readonly name: string | null; readonly description: string | null }, source: GroupSource): Promise<Group> {
    const fromSnapshot = 'groupSnapshotId' in source ? await this.getSnapshot(context, source.groupSnapshotId) : undefined;
    const sourceGroup = await this.get(context, fromSnapshot?.groupId ?? ('sourceGroupId' in source ? source.sourceGroupId : ''));
    await this.checkNotCgsnapshotType(sourceGroup.groupTypeId);
    const members = fromSnapshot === undefined ? await this.volumesOf(sourceGroup.id) : await this.deps.store.listSnapshots({ groupSnapshotId: fromSnapshot.id }, []);
    if (members.length === 0) {
      throw invalidGroup(fromSnapshot === undefined ? 'Source Group is empty. No group will be created.' : 'Group snapshot is empty. No group will be created.');
    }
    if (fromSnapshot !== undefined && fromSnapshot.status !== 'available') throw invalidGroupSnapshot('GroupSnapshot status must be available.');
    if (fromSnapshot === undefined && sourceGroup.status !== 'available') throw invalidGroup(`Source group status must be available, but current status is: ${sourceGroup.status}.`);
    const group = this.#newGroup(context, {
      ...request,
      groupTypeId: sourceGroup.groupTypeId,
      volumeTypeIds: sourceGroup.volumeTypeIds,
      availabilityZone: sourceGroup.availabilityZone,
      groupSnapshotId: fromSnapshot?.id ?? null,
      sourceGroupId: fromSnapshot === undefined ? sourceGroup.id : null,
    });
    await this.#insertWithinQuota(group);
    const into = { id: group.id, volumeTypeIds: group.volumeTypeIds };
    for (const member of members) {
      await this.deps.volumes.create(context, {
        name: member.name,
        description: member.description,
        ...('volumeId' in member ? { snapshotId: member.id } : { sourceVolid: member.id }),
        group: into,
      });
    }
    LOG.info(`Created group ${group.id} from ${fromSnapshot === undefined ? `group ${sourceGroup.id}` : `group snapshot ${fromSnapshot.id}`} with ${members.length} volumes`);
    return group;
  }

  /** The group's quota check and its insert, under its project's lock (VolumeQuotas.exclusive). */
  async #insertWithinQuota(group: Group): Promise<void> {
    await this.deps.quotas.exclusive(group.projectId, async () => {
      await this.deps.quotas.checkGroup(group.projectId);
      await this.deps.groups.insertGroup(group);
    });
  }

  #newGroup(
    context: RequestContext,
    fields: Pick<Group, 'name' | 'description' | 'groupTypeId' | 'volumeTypeIds' | 'availabilityZone' | 'groupSnapshotId' | 'sourceGroupId'>,
  ): Group {
    const now = this.deps.groups.now();
    return { id: randomUUID(), projectId: context.projectId ?? '', userId: context.userId ?? '', status: 'available', ...fields, createdAt: now, updatedAt: now };
  }

  async update(context: RequestContext, id: string, update: GroupUpdate): Promise<void> {
    const group = await this.get(context, id);
    const adding = idsOf(update.addVolumes);
    const removing = idsOf(update.removeVolumes);
    const both = adding.filter((volumeId) => removing.includes(volumeId));
    if (both.length > 0) throw invalidVolume(`UUIDs ${JSON.stringify(both)} are in both add and remove volume list.`);
    const members = await this.volumesOf(id);
    for (const volumeId of removing) {
      const volume = members.find((member) => member.id === volumeId);
      if (volume === undefined) throw invalidVolume(`Cannot remove volume ${volumeId} from group ${id} because it is not in the group.`);
      if (!VALID_REMOVE_VOL_FROM_GROUP_STATUS.includes(volume.status)) {
        throw invalidVolume(`Cannot remove volume ${volumeId} from group ${id} because volume is in an invalid state: ${volume.status}. Valid states are: ${VALID_REMOVE_VOL_FROM_GROUP_STATUS.join(', ')}.`);
      }
    }
    for (const volumeId of adding) await this.#checkAddable(context, group, volumeId);
    const description = update.description === group.description ? undefined : update.description;
    if (update.name === undefined && description === undefined && adding.length === 0 && removing.length === 0) {
      throw invalidGroup(`Cannot update group ${id} because no valid name, description, add_volumes, or remove_volumes were provided.`);
    }
    const changes = { ...(update.name === undefined ? {} : { name: update.name }), ...(description === undefined ? {} : { description }) };
    if (!(await this.deps.groups.updateGroup(id, changes, ['available']))) throw invalidGroup('Group status must be available.');
    for (const volumeId of removing) await this.deps.store.updateVolume(volumeId, { groupId: null });
    for (const volumeId of adding) await this.deps.store.updateVolume(volumeId, { groupId: id });
    if (adding.length + removing.length > 0) LOG.info(`Updated group ${id}: added ${adding.length} volumes, removed ${removing.length}`);
  }

  async #checkAddable(context: RequestContext, group: Group, volumeId: string): Promise<void> {
    const cannot = (why: string) => invalidVolume(`Cannot add volume ${volumeId} to group ${group.id} ${why}`);
    const volume = await this.deps.store.findVolume(volumeId);
    if (volume === undefined || !(context.isAdmin === true || volume.projectId === context.projectId)) throw cannot('because volume cannot be found.');
    if (volume.groupId !== null && volume.groupId !== group.id) throw cannot(`because it is already in group ${volume.groupId}.`);
    if (volume.projectId !== group.projectId) throw cannot('as they belong to different projects.');
    if (!group.volumeTypeIds.includes(volume.volumeTypeId)) throw cannot(`because volume type ${volume.volumeTypeId} is not supported by the group.`);
    if (!VALID_ADD_VOL_TO_GROUP_STATUS.includes(volume.status)) {
      throw cannot(`because volume is in an invalid state: ${volume.status}. Valid states are: ${VALID_ADD_VOL_TO_GROUP_STATUS.join(', ')}.`);
    }
  }

  /**
   * Without `deleteVolumes`, an empty available or error group; with it, any group and its
   * volumes, none attached or with snapshots. A group with group snapshots stays.
   */
  async delete(context: RequestContext, id: string, deleteVolumes: boolean): Promise<void> {
    const group = await this.get(context, id);
    await this.checkNotCgsnapshotType(group.groupTypeId);
    if (!deleteVolumes && group.status !== 'available' && group.status !== 'error') {
      throw invalidGroup(`Group status must be available or error, but current status is: ${group.status}`);
    }
    if ((await this.deps.groups.listGroupSnapshots({ groupId: id })).length > 0) throw invalidGroup('Group has existing snapshots.');
    const members = await this.volumesOf(id);
    if (members.length > 0 && !deleteVolumes) throw invalidGroup(`Group ${id} still contains volumes. The delete-volumes flag is required to delete it.`);
    for (const volume of members) {
      // Cinder's group.assert_not_frozen, checked here on each member's backend: nothing changes before all pass.
      await this.deps.volumes.assertNotFrozen(volume);
      if (volume.attachStatus === 'attached') throw invalidGroup(`Volume in group ${id} is attached. Need to detach first.`);
      if ((await this.deps.store.listSnapshots({ volumeId: volume.id }, [])).length > 0) throw invalidGroup('Volume in group still has dependent snapshots.');
    }
    if (!(await this.deps.groups.updateGroup(id, { status: 'deleting' }, deleteVolumes ? undefined : ['available', 'error']))) {
      throw invalidGroup(`Cannot delete group ${id}. Group status must be available or error and must not have dependent group snapshots.`);
    }
    for (const volume of members) await this.deps.volumes.delete(context, volume.id, { force: true, ofGroup: true });
    await this.deps.groups.deleteGroup(id);
    LOG.info(`Deleted group ${id}${members.length > 0 ? ` and cast the delete of its ${members.length} volumes` : ''}`);
  }

  /** reset_status (3.20, admin): the record only. */
  async resetStatus(context: RequestContext, id: string, status: GroupStatus): Promise<void> {
    await this.get(context, id);
    await this.deps.groups.updateGroup(id, { status });
    LOG.info(`Reset status of group ${id} to ${status}`);
  }

  // --- group snapshots

  async getSnapshot(context: RequestContext, id: string): Promise<GroupSnapshot> {
    const snapshot = await this.deps.groups.findGroupSnapshot(id);
    if (snapshot === undefined || !(context.isAdmin === true || snapshot.projectId === context.projectId)) throw groupSnapshotNotFound(id);
    return snapshot;
  }

  listSnapshots(context: RequestContext, allProjects: boolean): Promise<GroupSnapshot[]> {
    return this.deps.groups.listGroupSnapshots(allProjects && context.isAdmin === true ? {} : { projectId: context.projectId ?? '' });
  }

  /**
   * A snapshot of each of the group's volumes (available or in-use, each placed), all checked
   * before any is made; the group snapshot is available once every one is (the scheduler settles
   * it as their outcomes come in), at once when the group is empty.
   */
  async createSnapshot(context: RequestContext, request: { readonly groupId: string; readonly name: string | null; readonly description: string | null }): Promise<GroupSnapshot> {
    const group = await this.get(context, request.groupId);
    await this.checkNotCgsnapshotType(group.groupTypeId);
    if (group.status !== 'available') throw invalidGroup(`Group ${group.id} status must be available, but current status is: ${group.status}.`);
    const members = await this.volumesOf(group.id);
    for (const volume of members) {
      await this.deps.volumes.assertNotFrozen(volume);
      if (volume.host === null) throw invalidVolume('The snapshot cannot be created because volume has not been scheduled to any host.');
      if (volume.status !== 'available' && volume.status !== 'in-use') {
        throw invalidVolume(`Volume ${volume.id} status must be available or in-use, but current status is: ${volume.status}.`);
      }
    }
    const now = this.deps.groups.now();
    const snapshot: GroupSnapshot = {
      id: randomUUID(),
      groupId: group.id,
      projectId: context.projectId ?? group.projectId,
      userId: context.userId ?? '',
      name: request.name,
      description: request.description,
      status: members.length === 0 ? 'available' : 'creating',
      groupTypeId: group.groupTypeId,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.groups.insertGroupSnapshot(snapshot);
    try {
      for (const volume of members) {
        await this.deps.snapshots.create(context, { volumeId: volume.id, name: request.name, description: request.description, groupSnapshotId: snapshot.id });
      }
    } catch (error) {
      // A member refused (a quota, a status changed meanwhile): the snapshots made so far go with the group snapshot.
      await this.deps.groups.updateGroupSnapshot(snapshot.id, 'error');
      throw error;
    }
    LOG.info(`Create group snapshot request issued for group snapshot ${snapshot.id} of group ${group.id} (${members.length} volumes)`);
    return snapshot;
  }

  /** From available or error: its snapshots are deleted through the snapshot service, then the record. */
  async deleteSnapshot(context: RequestContext, id: string): Promise<void> {
    const snapshot = await this.getSnapshot(context, id);
    const members = await this.deps.store.listSnapshots({ groupSnapshotId: id }, []);
    for (const member of members) {
      const volume = await this.deps.store.findVolume(member.volumeId);
      if (volume !== undefined) await this.deps.volumes.assertNotFrozen(volume);
    }
    // Groups made from it are available at once here, so none is still "using it as source".
    if (!(await this.deps.groups.updateGroupSnapshot(id, 'deleting', ['available', 'error']))) {
      throw invalidGroupSnapshot('GroupSnapshot status must be available or error, and no Group can be currently using it as source for its creation.');
    }
    for (const member of members) await this.deps.snapshots.delete(context, member.id, { force: true, ofGroupSnapshot: true });
    await this.deps.groups.deleteGroupSnapshot(snapshot.id);
    LOG.info(`Deleted group snapshot ${id} and cast the delete of its ${members.length} snapshots`);
  }

  /** reset_status (3.19, admin): the record only. */
  async resetSnapshotStatus(context: RequestContext, id: string, status: GroupSnapshotStatus): Promise<void> {
    await this.getSnapshot(context, id);
    await this.deps.groups.updateGroupSnapshot(id, status);
    LOG.info(`Reset status of group snapshot ${id} to ${status}`);
  }
}
