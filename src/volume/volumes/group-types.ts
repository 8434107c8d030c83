/** Cinder's group types (cinder/volume/group_types.py): a name, public or not, and group specs. */
import { randomUUID } from 'node:crypto';
import { BadRequest, Conflict, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { GroupStore, GroupTypeSortKey } from '../db/group-store.js';
import type { SortSpec } from '../db/volume-store.js';
import type { GroupType } from './group.js';
import { groupTypeNotFound } from './volume-errors.js';

const LOG = getLogger('nimbus.volume.group_types');
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export interface NewGroupType {
  readonly name: string;
  readonly description: string | null;
  readonly isPublic: boolean;
  readonly groupSpecs: Readonly<Record<string, string>>;
}

export class GroupTypes {
  constructor(
    private readonly store: GroupStore,
    /** `[volume] default_group_type` ('' for none, Cinder's default). */
    private readonly defaultName: string,
  ) {}

  list(isPublic: boolean | undefined, sort: readonly SortSpec<GroupTypeSortKey>[]): Promise<GroupType[]> {
    return this.store.listGroupTypes(isPublic, sort);
  }

  async get(id: string): Promise<GroupType> {
    const type = await this.store.findGroupType({ id });
    if (type === undefined) throw groupTypeNotFound(id);
    return type;
  }

  /** As a group create names it: a uuid is an id, anything else a name. */
  async resolve(idOrName: string): Promise<GroupType> {
    if (UUID.test(idOrName)) return this.get(idOrName);
    const type = await this.store.findGroupType({ name: idOrName });
    if (type === undefined) throw new NotFound(`Group type with name ${idOrName} could not be found.`);
    return type;
  }

  /** Cinder's get_default_group_type: the configured one, when it is set and exists. */
  async defaultType(): Promise<GroupType> {
    const type = this.defaultName === '' ? undefined : await this.store.findGroupType({ name: this.defaultName });
    if (type === undefined) {
      if (this.defaultName !== '') LOG.error(`Default group type ${this.defaultName} is not found. Please check default_group_type config.`);
      throw new NotFound('Default group type can not be found.');
    }
    return type;
  }

  async create(request: NewGroupType): Promise<GroupType> {
    const type: GroupType = { id: randomUUID(), ...request, createdAt: this.store.now() };
    try {
      await this.store.insertGroupType(type);
    } catch (error) {
      if (!this.store.isUniqueViolation(error)) throw error;
      throw new Conflict(`Group Type ${request.name} already exists.`);
    }
    LOG.info(`Created group type ${type.name} (${type.id})`);
    return type;
  }

  async update(id: string, changes: { readonly name?: string; readonly description?: string | null; readonly isPublic?: boolean }): Promise<GroupType> {
    if (changes.name !== undefined && changes.name.trim() === '') throw new BadRequest('Group type name can not be empty.');
    if (changes.name === undefined && changes.description === undefined && changes.isPublic === undefined) {
      throw new BadRequest('Specify group type name, description or a combination thereof.');
    }
    await this.get(id);
    try {
      await this.store.updateGroupType(id, changes);
    } catch (error) {
      if (!this.store.isUniqueViolation(error)) throw error;
      throw new Conflict(`Group Type ${changes.name ?? ''} already exists.`);
    }
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const type = await this.get(id);
    if ((await this.store.countGroupsOfType(id)) > 0) throw new BadRequest('Target group type is still in use.');
    await this.store.deleteGroupType(id);
    LOG.info(`Deleted group type ${type.name} (${id})`);
  }

  async setSpecs(id: string, specs: Readonly<Record<string, string>>): Promise<void> {
    const type = await this.get(id);
    await this.store.updateGroupType(id, { groupSpecs: { ...type.groupSpecs, ...specs } });
  }

  async unsetSpec(id: string, key: string): Promise<void> {
    const type = await this.get(id);
    if (!(key in type.groupSpecs)) throw new NotFound(`Group Type ${id} has no specs with key ${key}.`);
    await this.store.updateGroupType(id, { groupSpecs: Object.fromEntries(Object.entries(type.groupSpecs).filter(([name]) => name !== key)) });
  }
}
