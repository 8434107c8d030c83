import type { Selectable } from 'kysely';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest, Forbidden, NotFound } from '../../common/errors/errors.js';
import type { ProjectsTable } from '../db/tables.js';
import { DEFAULT_DOMAIN_ID, type DomainManager, type DomainRef } from './domains.js';
import { EntityManager } from './entity-manager.js';
import { conflictStoring, newId, parseObject, parseStrings, patchedDescription, patchedEnabledAndTags, toJson, type Extra, type ResourceDeps } from './store.js';

/** keystone/resource/schema.py: project_tags_update's maxItems. */
const MAX_TAGS = 80;

export interface ProjectRef {
  readonly id: string;
  readonly name: string;
  readonly domain_id: string;
  /** The parent project, or the domain for a top-level project (Keystone's convention). */
  readonly parent_id: string;
  readonly description: string | null;
  readonly enabled: boolean;
  readonly is_domain: boolean;
  readonly tags: readonly string[];
  readonly extra: Extra;
}

/**
 * A domain as /v3/projects shows it: Keystone keeps domains as projects acting as domains
 * (`is_domain`), with no domain and no parent of their own.
 */
export interface DomainProjectRef extends Omit<ProjectRef, 'domain_id' | 'parent_id' | 'is_domain'> {
  readonly domain_id: null;
  readonly parent_id: null;
  readonly is_domain: true;
}

/** What /v3/projects serves: a project, or a domain acting as one. */
export type ProjectView = ProjectRef | DomainProjectRef;

export interface ProjectCreate {
  readonly name: string;
  /** Defaults to the parent's domain, else the Default domain. */
  readonly domain_id?: string | null;
  readonly parent_id?: string | null;
  readonly description?: string | null;
  readonly enabled?: boolean;
  readonly is_domain?: boolean;
  readonly tags?: readonly string[];
  readonly extra?: Extra;
}

export type ProjectUpdate = Partial<ProjectCreate>;

export interface ProjectFilter {
  readonly name?: string;
  readonly domain_id?: string;
  readonly parent_id?: string;
  readonly enabled?: boolean;
  readonly is_domain?: boolean;
  /** Only these ids (a user's projects). */
  readonly ids?: readonly string[];
}

/** Projects and their hierarchy (parent_id), after Keystone's resource manager. */
export class ProjectManager extends EntityManager<'identity_projects', ProjectRef, ProjectFilter> {
  constructor(
    store: ResourceDeps,
    private readonly domains: DomainManager,
  ) {
    super(store, store.tables.projects, toRef);
  }

  async create(input: ProjectCreate): Promise<ProjectRef> {
    if (input.is_domain === true) throw new BadRequest('A project acting as a domain is made by createActingAsDomain.');
    const parent = input.parent_id ? await this.#parentOf(input.parent_id) : undefined;
    const domainId = input.domain_id ?? parent?.domain_id ?? DEFAULT_DOMAIN_ID;
    await this.domains.get(domainId);
    if (parent !== undefined && parent.domain_id !== domainId) {
      throw new BadRequest(
        `Cannot create project, since it specifies its domain_id ${domainId}, but specifies a parent in a different domain (${parent.domain_id}).`,
      );
    }
    if (parent?.project !== undefined) {
      const disabled = (await this.ancestors(parent.project.id, true)).find((ref) => !ref.enabled);
      if (disabled !== undefined) {
        throw new BadRequest(`cannot create a project in a branch containing a disabled project: ${disabled.id}`);
      }
    }
    const id = newId();
    const name = input.name.trim();
    return this.inserted(
      {
        id,
        name,
        domain_id: domainId,
        parent_id: parent?.project?.id ?? domainId,
        description: input.description ?? '',
        enabled: input.enabled ?? true,
        is_domain: false,
        tags: toJson(input.tags ?? []),
        extra: toJson(input.extra),
        created_at: toDbTimestamp(this.store.now()),
      },
      duplicateName(name, id),
    );
  }

  /**
   * A project acting as a domain (POST /v3/projects with is_domain): a new domain. It is a root:
   * neither a parent nor a domain of its own may be named.
   */
  async createActingAsDomain(input: ProjectCreate): Promise<DomainProjectRef> {
    if (input.parent_id) throw new BadRequest('Only root projects may act as domains: a project acting as a domain has no parent_id.');
    if (input.domain_id) throw new BadRequest('A project acting as a domain has no domain_id.');
    const { name, description, enabled, tags, extra } = input;
    return asProject(await this.domains.create({ name, description, enabled, tags, extra }));
  }

  /** The project, or the domain of that id as the project acting as it; 404 when neither exists. */
  async view(id: string): Promise<ProjectView> {
    const project = await this.store.tables.projects.find(id);
    if (project !== undefined) return toRef(project);
    const domain = await this.store.tables.domains.find(id);
    if (domain === undefined) throw new NotFound(`Could not find project: ${id}.`);
    return asProject(await this.domains.get(domain.id));
  }

  /** The projects matching the filter; with is_domain, the domains acting as projects. */
  async listViews(filter: ProjectFilter = {}): Promise<ProjectView[]> {
    if (filter.is_domain !== true) return this.list(filter);
    if (filter.domain_id !== undefined || filter.parent_id !== undefined || filter.ids !== undefined) return [];
    return (await this.domains.list({ name: filter.name, enabled: filter.enabled })).map(asProject);
  }

  /** Updates a project, or a domain through /v3/projects (it stays a domain). */
  async updateView(id: string, patch: ProjectUpdate): Promise<ProjectView> {
    const current = await this.view(id);
    if (!current.is_domain) return this.update(id, patch);
    if (patch.is_domain === false) throw new BadRequest('Update of `is_domain` is not allowed.');
    if (patch.parent_id || patch.domain_id) throw new BadRequest('A project acting as a domain has no parent_id and no domain_id.');
    const { name, description, enabled, tags, extra } = patch;
    return asProject(await this.domains.update(id, { name, description, enabled, tags, extra }));
  }

  /** Deletes a project, or a (disabled) domain with its contents through /v3/projects. */
  async deleteView(id: string): Promise<void> {
    const current = await this.view(id);
    await (current.is_domain ? this.domains.delete(id) : this.delete(id));
  }

  async exists(id: string): Promise<boolean> {
    return (await this.store.tables.projects.find(id)) !== undefined;
  }

  async findByName(name: string, domainId: string): Promise<ProjectRef | undefined> {
    const row = await this.store.tables.projects.findByName(name, domainId);
    return row === undefined ? undefined : toRef(row);
  }

  /** Projects only: domains acting as projects are listViews'. */
  override async list(filter: ProjectFilter = {}): Promise<ProjectRef[]> {
    return filter.is_domain === true ? [] : super.list(filter);
  }

  async update(id: string, patch: ProjectUpdate): Promise<ProjectRef> {
    const current = await this.get(id);
    if (patch.parent_id !== undefined && patch.parent_id !== current.parent_id) {
      throw new Forbidden('Update of `parent_id` is not allowed.');
    }
    if (patch.is_domain !== undefined && patch.is_domain !== current.is_domain) {
      throw new BadRequest('Update of `is_domain` is not allowed.');
    }
    if (patch.domain_id !== undefined && patch.domain_id !== current.domain_id) {
      throw new BadRequest('Cannot change Domain ID');
    }
    if (current.enabled && patch.enabled === false && (await this.subtree(id)).some((child) => child.enabled)) {
      throw new Forbidden(`Cannot disable project ${id} since its subtree contains enabled projects.`);
    }
    if (!current.enabled && patch.enabled === true && (await this.ancestors(id)).some((parent) => !parent.enabled)) {
      throw new Forbidden(`Cannot enable project ${id} since it has disabled parents`);
    }
    const name = patch.name?.trim() ?? current.name;
    const updated = await this.updated(
      id,
      { name, ...patchedDescription(current, patch), ...patchedEnabledAndTags(current, patch) },
      duplicateName(name, id),
    );
    if (current.enabled && patch.enabled === false) await this.store.events.projectDisabledOrDeleted(id);
    return updated;
  }

  /** Replaces the project's tags (Keystone's update_project_tags); the API validated the list. */
  async setTags(id: string, tags: readonly string[]): Promise<readonly string[]> {
    return (await this.update(id, { tags })).tags;
  }

  /** Adds one tag: a tag already there, or an 81st, is a 400 as Keystone's list schema words it. */
  async addTag(id: string, tag: string): Promise<void> {
    const { tags } = await this.get(id);
    if (tags.includes(tag)) throw new BadRequest(`Invalid input for field 'tags': ${tag} is already a tag of the project.`);
    if (tags.length >= MAX_TAGS) throw new BadRequest(`Invalid input for field 'tags': a project has at most ${MAX_TAGS} tags.`);
    await this.update(id, { tags: [...tags, tag] });
  }

  /** Throws Keystone's ProjectTagNotFound unless the project has the tag. */
  async checkTag(id: string, tag: string): Promise<void> {
    if (!(await this.get(id)).tags.includes(tag)) throw new NotFound(`Could not find project tag: ${tag}.`);
  }

  async removeTag(id: string, tag: string): Promise<void> {
    const { tags } = await this.get(id);
    if (!tags.includes(tag)) throw new NotFound(`Could not find project tag: ${tag}.`);
    await this.update(id, { tags: tags.filter((each) => each !== tag) });
  }

  /** Deletes a leaf project, the role assignments on it and the credentials for it. */
  override async delete(id: string): Promise<void> {
    await this.get(id);
    if (await this.store.tables.projects.hasChildren(id)) {
      throw new Forbidden(
        `Cannot delete the project ${id} since it is not a leaf in the hierarchy. Use the cascade option if you want to delete a whole subtree.`,
      );
    }
    await this.store.tables.projects.deleteWithAssignments(id);
    await this.store.tables.credentials.deleteOf({ projectId: id });
    await this.store.events.projectDisabledOrDeleted(id);
  }

  /** The project's ancestors, nearest first (itself first when `includeSelf`); domains excluded. */
  async ancestors(id: string, includeSelf = false): Promise<ProjectRef[]> {
    const chain: ProjectRef[] = [];
    let current = await this.get(id);
    if (includeSelf) chain.push(current);
    while (current.parent_id !== current.domain_id) {
      current = await this.get(current.parent_id);
      chain.push(current);
    }
    return chain;
  }

  /** Every project below this one, breadth first. */
  async subtree(id: string): Promise<ProjectRef[]> {
    const found: ProjectRef[] = [];
    let level = [id];
    while (level.length > 0) {
      const children = (await this.store.tables.projects.childrenOf(level)).map(toRef);
      found.push(...children);
      level = children.map((child) => child.id);
    }
    return found;
  }

  /** A parent given by id: a project, or a domain (then the new project is top-level). */
  async #parentOf(parentId: string): Promise<{ domain_id: string; project?: ProjectRef }> {
    const project = await this.store.tables.projects.find(parentId);
    if (project !== undefined) return { domain_id: project.domain_id, project: toRef(project) };
    const domain = await this.store.tables.domains.find(parentId);
    if (domain === undefined) throw new NotFound(`Could not find project: ${parentId}.`);
    return { domain_id: domain.id };
  }
}

function asProject(domain: DomainRef): DomainProjectRef {
  return { ...domain, domain_id: null, parent_id: null, is_domain: true };
}

function duplicateName(name: string, id: string): () => string {
  return conflictStoring(
    'project',
    `it is not permitted to have two projects with either the same name or same id in the same domain: name is ${name}, project id ${id}`,
  );
}

function toRef(row: Selectable<ProjectsTable>): ProjectRef {
  return {
    id: row.id,
    name: row.name,
    domain_id: row.domain_id,
    parent_id: row.parent_id,
    description: row.description,
    enabled: row.enabled,
    is_domain: row.is_domain,
    tags: parseStrings(row.tags),
    extra: parseObject(row.extra),
  };
}
