/** Cinder's volume types: a name, public or not, and extra specs (`volume_backend_name` picks a backend). */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, Conflict, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { DefaultTypeStore, ProjectDefaultType } from '../db/default-type-store.js';
import type { TypeAccessStore } from '../db/type-access-store.js';
import type { VolumeStore } from '../db/volume-store.js';
import { invalidVolumeType, typeNotFound, typeNotFoundByName } from './volume-errors.js';
import { DEFAULT_VOLUME_TYPE, type VolumeType } from './volume.js';

const LOG = getLogger('nimbus.volume.types');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewVolumeType {
  readonly name: string;
  readonly description?: string | null;
  readonly isPublic?: boolean;
  readonly extraSpecs?: Readonly<Record<string, string>>;
}

export class VolumeTypes {
  constructor(
    private readonly store: VolumeStore,
    /** Projects' own defaults (3.62), ahead of the configured one. */
    private readonly defaults: DefaultTypeStore,
    /** The projects private types are open to (addProjectAccess). */
    private readonly access: TypeAccessStore,
    /** `[volume] default_volume_type`. */
    private readonly defaultName: string = DEFAULT_VOLUME_TYPE,
  ) {}

  /** Every type, private or not. */
  listAll(): Promise<VolumeType[]> {
    return this.store.listTypes({});
  }

  /** Public types, and the private ones open to the caller's project; every type for an admin. */
  async list(context: RequestContext): Promise<VolumeType[]> {
    if (context.isAdmin === true) return this.listAll();
    const opened = new Set(context.projectId === undefined ? [] : await this.access.typesOf(context.projectId));
    return (await this.listAll()).filter((type) => type.isPublic || opened.has(type.id));
  }

  /** Cinder's _volume_type_get_query: a private type is seen by admins and the projects it is open to. */
  async visibleTo(context: RequestContext, type: VolumeType): Promise<boolean> {
    if (type.isPublic || context.isAdmin === true) return true;
    return context.projectId !== undefined && (await this.access.projectsOf(type.id)).includes(context.projectId);
  }

  async get(id: string): Promise<VolumeType> {
    const type = await this.store.findType({ id });
    if (type === undefined) throw typeNotFound(id);
    return type;
  }

  /** By id or name, as a volume create names it; the default type when none is named. */
  async resolve(idOrName: string | undefined): Promise<VolumeType> {
    const wanted = idOrName ?? this.defaultName;
    const type = UUID.test(wanted) ? await this.store.findType({ id: wanted }) : await this.store.findType({ name: wanted });
    if (type !== undefined) return type;
    const byName = await this.store.findType({ name: wanted });
    if (byName !== undefined) return byName;
    throw UUID.test(wanted) ? typeNotFound(wanted) : typeNotFoundByName(wanted);
  }

  /** Cinder's get_default_volume_type: the project's own default when it has one, else the configured one. */
  async defaultFor(projectId: string | undefined): Promise<VolumeType> {
    const own = projectId === undefined ? undefined : await this.defaults.find(projectId);
    return own === undefined ? this.resolve(undefined) : this.get(own.volumeTypeId);
  }

  /**
   * As resolve, for a caller making a volume (no type named: the project's default): a private
   * type is an administrator's or a project's it is open to.
   */
  async resolveFor(context: RequestContext, idOrName: string | undefined): Promise<VolumeType> {
    const type = idOrName === undefined ? await this.defaultFor(context.projectId) : await this.resolve(idOrName);
    if (await this.visibleTo(context, type)) return type;
    const wanted = idOrName ?? type.id;
    throw UUID.test(wanted) ? typeNotFound(wanted) : typeNotFoundByName(wanted);
  }

  async create(request: NewVolumeType): Promise<VolumeType> {
    const type: VolumeType = {
      id: randomUUID(),
      name: request.name,
      description: request.description ?? null,
      isPublic: request.isPublic ?? true,
      extraSpecs: request.extraSpecs ?? {},
    };
    try {
      await this.store.insertType(type);
    } catch (error) {
      if (!this.store.isUniqueViolation(error)) throw error;
      throw new Conflict(`Volume Type ${request.name} already exists.`);
    }
    LOG.info(`Created volume type ${type.name} (${type.id})`);
    return type;
  }

  async update(id: string, changes: { readonly name?: string; readonly description?: string | null; readonly isPublic?: boolean }): Promise<VolumeType> {
    const type = await this.get(id);
    if (changes.name !== undefined && type.name === DEFAULT_VOLUME_TYPE && changes.name !== type.name) {
      throw new BadRequest('The default volume type cannot be renamed.');
    }
    try {
      await this.store.updateType(id, changes);
    } catch (error) {
      if (!this.store.isUniqueViolation(error)) throw error;
      throw new Conflict(`Volume Type ${changes.name ?? ''} already exists.`);
    }
    return this.get(id);
  }

  /** Whether volumes of the type exist (what Cinder's encryption changes refuse). */
  async inUse(id: string): Promise<boolean> {
    return (await this.store.countVolumesOfType(id)) > 0;
  }

  async delete(id: string): Promise<void> {
    const type = await this.get(id);
    if (type.name === this.defaultName || type.name === DEFAULT_VOLUME_TYPE) throw new BadRequest('Default volume type can not be deleted.');
    if ((await this.defaults.list(id)).length > 0) throw new BadRequest(`The volume type ${id} is a default volume type and cannot be deleted.`);
    if (await this.inUse(id)) throw new BadRequest('Target volume type is still in use.');
    await this.store.deleteType(id);
    await this.access.removeAll(id);
    LOG.info(`Deleted volume type ${type.name} (${id})`);
  }

  /** The projects a private type is open to; a public type has no such list (404, as Cinder). */
  async projectsWithAccess(id: string): Promise<string[]> {
    const type = await this.get(id);
    if (type.isPublic) throw new NotFound('Access list not available for public volume types.');
    return this.access.projectsOf(id);
  }

  /** addProjectAccess: opens a private type to the project; twice is a conflict. */
  async addProjectAccess(id: string, projectId: string): Promise<void> {
    await this.#privateType(id);
    if (!(await this.access.add(id, projectId))) throw new Conflict(`Volume type access for ${id} / ${projectId} combination already exists.`);
    LOG.info(`Volume type ${id} is now open to project ${projectId}`);
  }

  /** removeProjectAccess: closes it again; a project without access is a 404. */
  async removeProjectAccess(id: string, projectId: string): Promise<void> {
    await this.#privateType(id);
    if (!(await this.access.remove(id, projectId))) throw new NotFound(`Volume type access not found for ${id} / ${projectId} combination.`);
    LOG.info(`Volume type ${id} is no longer open to project ${projectId}`);
  }

  async #privateType(id: string): Promise<VolumeType> {
    const type = await this.get(id);
    if (type.isPublic) throw invalidVolumeType('Type access modification is not applicable to public volume type.');
    return type;
  }

  async setExtraSpecs(id: string, specs: Readonly<Record<string, string>>): Promise<Readonly<Record<string, string>>> {
    const type = await this.get(id);
    const extraSpecs = { ...type.extraSpecs, ...specs };
    await this.store.updateType(id, { extraSpecs });
    return extraSpecs;
  }

  async unsetExtraSpec(id: string, key: string): Promise<void> {
    const type = await this.get(id);
    if (!(key in type.extraSpecs)) throw new NotFound(`Volume Type ${id} has no extra specs with key ${key}.`);
    const rest = Object.fromEntries(Object.entries(type.extraSpecs).filter(([name]) => name !== key));
    await this.store.updateType(id, { extraSpecs: rest });
  }

  /** Makes the type (by id or name, as resolve finds it) the project's default; not found is resolve's 404. */
  async setProjectDefault(projectId: string, idOrName: string): Promise<ProjectDefaultType> {
    const entry = { projectId, volumeTypeId: (await this.resolve(idOrName)).id };
    await this.defaults.set(entry);
    LOG.info(`Default volume type of project ${projectId} is now ${entry.volumeTypeId}`);
    return entry;
  }

  projectDefault(projectId: string): Promise<ProjectDefaultType | undefined> {
    return this.defaults.find(projectId);
  }

  projectDefaults(): Promise<ProjectDefaultType[]> {
    return this.defaults.list();
  }

  unsetProjectDefault(projectId: string): Promise<void> {
    return this.defaults.unset(projectId);
  }
}
