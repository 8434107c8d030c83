import type { Kysely } from 'kysely';
import type { NetworkTables } from '../tables.js';

/** Per-project limits that differ from the defaults. */
export class QuotaRows {
  constructor(private readonly db: Kysely<NetworkTables>) {}

  async ofProject(projectId: string): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('net_quotas').select(['resource', 'limit']).where('project_id', '=', projectId).execute();
    return Object.fromEntries(rows.map((row) => [row.resource, row.limit]));
  }

  /** Every project with a limit of its own, and those limits. */
  async all(): Promise<Map<string, Record<string, number>>> {
    const rows = await this.db.selectFrom('net_quotas').selectAll().orderBy('project_id').execute();
    const byProject = new Map<string, Record<string, number>>();
    for (const row of rows) byProject.set(row.project_id, { ...byProject.get(row.project_id), [row.resource]: row.limit });
    return byProject;
  }

  async set(projectId: string, limits: Readonly<Record<string, number>>): Promise<void> {
    const resources = Object.keys(limits);
    if (resources.length === 0) return;
    await this.db.deleteFrom('net_quotas').where('project_id', '=', projectId).where('resource', 'in', resources).execute();
    await this.db
      .insertInto('net_quotas')
      .values(Object.entries(limits).map(([resource, limit]) => ({ project_id: projectId, resource, limit })))
      .execute();
  }

  async reset(projectId: string): Promise<void> {
    await this.db.deleteFrom('net_quotas').where('project_id', '=', projectId).execute();
  }
}

/** Tags of any resource, by its collection name and id. */
export class TagRows {
  constructor(private readonly db: Kysely<NetworkTables>) {}

  /** The tags of each resource, sorted. */
  async of(resourceType: string, ids: readonly string[]): Promise<Map<string, string[]>> {
    const tags = new Map<string, string[]>();
    if (ids.length === 0) return tags;
    const rows = await this.db
      .selectFrom('net_tags')
      .select(['resource_id', 'tag'])
      .where('resource_type', '=', resourceType)
      .where('resource_id', 'in', ids)
      .orderBy('tag')
      .execute();
    for (const row of rows) tags.set(row.resource_id, [...(tags.get(row.resource_id) ?? []), row.tag]);
    return tags;
  }

  async replace(resourceType: string, id: string, tags: readonly string[]): Promise<void> {
    await this.removeAll(resourceType, id);
    if (tags.length === 0) return;
    await this.db
      .insertInto('net_tags')
      .values([...new Set(tags)].map((tag) => ({ resource_type: resourceType, resource_id: id, tag })))
      .execute();
  }

  async add(resourceType: string, id: string, tag: string): Promise<void> {
    const present = await this.db
      .selectFrom('net_tags')
      .select('tag')
      .where('resource_type', '=', resourceType)
      .where('resource_id', '=', id)
      .where('tag', '=', tag)
      .executeTakeFirst();
    if (present === undefined) await this.db.insertInto('net_tags').values({ resource_type: resourceType, resource_id: id, tag }).execute();
  }

  /** False when the resource had no such tag. */
  async remove(resourceType: string, id: string, tag: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('net_tags')
      .where('resource_type', '=', resourceType)
      .where('resource_id', '=', id)
      .where('tag', '=', tag)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async removeAll(resourceType: string, id: string): Promise<void> {
    await this.db.deleteFrom('net_tags').where('resource_type', '=', resourceType).where('resource_id', '=', id).execute();
  }
}
