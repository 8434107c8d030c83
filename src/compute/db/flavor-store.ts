import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest, Conflict, NotFound } from '../../common/errors/errors.js';
import type { ComputeTables, FlavorsTable } from './tables.js';
import type { Flavor, FlavorCreate, FlavorListQuery, FlavorSortKey, FlavorViewer } from '../flavors/flavor.js';
import { validateFlavorCreate } from '../flavors/flavor-validation.js';

type Db = Kysely<ComputeTables>;
type FlavorRow = Selectable<FlavorsTable>;
type Eb = ExpressionBuilder<ComputeTables, 'compute_flavors'>;
type SortColumn = Exclude<keyof FlavorsTable, 'description'>;

/** Nova's internal id orders by creation; vcpu_weight is a column Nimbus does not keep (all null in Nova too). */
const SORT_COLUMNS: Readonly<Record<Exclude<FlavorSortKey, 'description'>, SortColumn>> = {
  created_at: 'created_at',
  disabled: 'disabled',
  ephemeral_gb: 'ephemeral_gb',
  flavorid: 'flavorid',
  id: 'created_at',
  is_public: 'is_public',
  memory_mb: 'memory_mb',
  name: 'name',
  root_gb: 'root_gb',
  rxtx_factor: 'rxtx_factor',
  swap: 'swap',
  updated_at: 'updated_at',
  vcpu_weight: 'flavorid',
  vcpus: 'vcpus',
};

function flavorNotFound(flavorid: string): NotFound {
  return new NotFound(`Flavor ${flavorid} could not be found.`);
}

/**
 * Flavors, their extra specs and their access lists (Nova's flavor objects over the API
 * database). Visibility is enforced here: a private flavor the viewer's project has no access
 * to does not exist for a non-admin (404), as in Nova's _flavor_get_query_from_db.
 */
export class FlavorStore {
  readonly #db: Db;

  constructor(
    database: Database,
    private readonly isUniqueViolation: (error: unknown) => boolean = (error) => database.isUniqueViolation(error),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  async get(viewer: FlavorViewer, flavorid: string): Promise<Flavor> {
    const row = await this.#db
      .selectFrom('compute_flavors')
      .selectAll()
      .where('flavorid', '=', flavorid)
      .where((eb) => visibleTo(eb, viewer))
      .executeTakeFirst();
    if (row === undefined) throw flavorNotFound(flavorid);
    return (await this.#withSpecs([row]))[0] as Flavor;
  }

  /** One page of the flavors the viewer may list, after the marker. */
  async list(viewer: FlavorViewer, query: FlavorListQuery): Promise<Flavor[]> {
    let select = this.#db.selectFrom('compute_flavors').selectAll();
    if (query.isPublic === false) select = select.where('is_public', '=', false);
    if (query.isPublic === true) select = select.where((eb) => publicOrShared(eb, viewer.projectId));
    if (!viewer.isAdmin) select = select.where((eb) => visibleTo(eb, viewer));
    if (query.hideDisabled) select = select.where('disabled', '=', false);
    if (query.minMemoryMb !== undefined) select = select.where('memory_mb', '>=', query.minMemoryMb);
    if (query.minRootGb !== undefined) select = select.where('root_gb', '>=', query.minRootGb);
    const op = query.sortDir === 'asc' ? '>' : '<';
    if (query.marker !== undefined) {
      const marker = await this.#db
        .selectFrom('compute_flavors')
        .selectAll()
        .where('flavorid', '=', query.marker)
        .where((eb) => visibleTo(eb, viewer))
        .executeTakeFirst();
      if (marker === undefined) throw new BadRequest(`marker [${query.marker}] not found`);
      select = select.where((eb) => {
        const [value, markerValue] = sortValues(eb, query.sortKey, marker);
        return eb.or([eb(value, op, markerValue), eb.and([eb(value, '=', markerValue), eb('flavorid', op, marker.flavorid)])]);
      });
    }
    const rows = await select
      .orderBy((eb) => sortValues(eb, query.sortKey)[0], query.sortDir)
      .orderBy('flavorid', query.sortDir)
      .limit(query.limit)
      .execute();
    return this.#withSpecs(rows);
  }

  /** Creates a flavor after Nova's checks; a taken id or name is 409. */
  async create(input: FlavorCreate): Promise<Flavor> {
    const values = validateFlavorCreate(input);
    const flavorid = values.flavorid ?? randomUUID();
    const existing = await this.#db
      .selectFrom('compute_flavors')
      .select(['flavorid', 'name'])
      .where((eb) => eb.or([eb('flavorid', '=', flavorid), eb('name', '=', values.name)]))
      .execute();
    if (existing.some((row) => row.flavorid === flavorid)) throw new Conflict(`Flavor with ID ${flavorid} already exists.`);
    if (existing.length > 0) throw new Conflict(`Flavor with name ${values.name} already exists.`);
    const timestamp = toDbTimestamp(this.now());
    const row: FlavorRow = { ...values, flavorid, disabled: false, created_at: timestamp, updated_at: timestamp };
    try {
      await this.#db.insertInto('compute_flavors').values(row).execute();
    } catch (error) {
      if (this.isUniqueViolation(error)) throw new Conflict(`Flavor with name ${values.name} already exists.`);
      throw error;
    }
    return { ...rowToFlavor(row), extra_specs: {} };
  }

  async updateDescription(flavorid: string, description: string | null): Promise<Flavor> {
    const result = await this.#db
      .updateTable('compute_flavors')
      .set({ description, updated_at: toDbTimestamp(this.now()) })
      .where('flavorid', '=', flavorid)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw flavorNotFound(flavorid);
    return this.get({ isAdmin: true }, flavorid);
  }

  /** Deletes the flavor with its extra specs and access list; servers keep their snapshot. */
  async delete(flavorid: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('compute_flavors').where('flavorid', '=', flavorid).executeTakeFirst();
      if (result.numDeletedRows === 0n) throw flavorNotFound(flavorid);
      await trx.deleteFrom('compute_flavor_extra_specs').where('flavorid', '=', flavorid).execute();
      await trx.deleteFrom('compute_flavor_projects').where('flavorid', '=', flavorid).execute();
    });
  }

  /** Adds or replaces the given extra specs. */
  async setExtraSpecs(flavorid: string, specs: Readonly<Record<string, string>>): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const flavor = await trx.selectFrom('compute_flavors').select('flavorid').where('flavorid', '=', flavorid).executeTakeFirst();
      if (flavor === undefined) throw flavorNotFound(flavorid);
      const keys = Object.keys(specs);
      if (keys.length === 0) return;
      await trx.deleteFrom('compute_flavor_extra_specs').where('flavorid', '=', flavorid).where('key', 'in', keys).execute();
      await trx
        .insertInto('compute_flavor_extra_specs')
        .values(Object.entries(specs).map(([key, value]) => ({ flavorid, key, value })))
        .execute();
    });
  }

  async deleteExtraSpec(flavorid: string, key: string): Promise<void> {
    const result = await this.#db
      .deleteFrom('compute_flavor_extra_specs')
      .where('flavorid', '=', flavorid)
      .where('key', '=', key)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFound(`Flavor ${flavorid} has no extra specs with key ${key}.`);
  }

  /** The projects a private flavor is shared with. */
  async accessList(flavorid: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('compute_flavor_projects')
      .select('project_id')
      .where('flavorid', '=', flavorid)
      .orderBy('project_id')
      .execute();
    return rows.map((row) => row.project_id);
  }

  async addAccess(flavorid: string, projectId: string): Promise<void> {
    try {
      await this.#db.insertInto('compute_flavor_projects').values({ flavorid, project_id: projectId }).execute();
    } catch (error) {
      if (!this.isUniqueViolation(error)) throw error;
      throw new Conflict(`Flavor access already exists for flavor ${flavorid} and project ${projectId} combination.`);
    }
  }

  async removeAccess(flavorid: string, projectId: string): Promise<void> {
    const result = await this.#db
      .deleteFrom('compute_flavor_projects')
      .where('flavorid', '=', flavorid)
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFound(`Flavor access not found for ${flavorid} / ${projectId} combination.`);
  }

  async #withSpecs(rows: readonly FlavorRow[]): Promise<Flavor[]> {
    if (rows.length === 0) return [];
    const specs = await this.#db
      .selectFrom('compute_flavor_extra_specs')
      .selectAll()
      .where(
        'flavorid',
        'in',
        rows.map((row) => row.flavorid),
      )
      .orderBy('key')
      .execute();
    const byFlavor = new Map<string, Record<string, string>>();
    for (const spec of specs) {
      const entry = byFlavor.get(spec.flavorid) ?? {};
      entry[spec.key] = spec.value;
      byFlavor.set(spec.flavorid, entry);
    }
    return rows.map((row) => ({ ...rowToFlavor(row), extra_specs: byFlavor.get(row.flavorid) ?? {} }));
  }
}

function rowToFlavor(row: FlavorRow): Omit<Flavor, 'extra_specs'> {
  return {
    flavorid: row.flavorid,
    name: row.name,
    vcpus: row.vcpus,
    memory_mb: row.memory_mb,
    root_gb: row.root_gb,
    ephemeral_gb: row.ephemeral_gb,
    swap: row.swap,
    rxtx_factor: Number(row.rxtx_factor),
    is_public: row.is_public,
    disabled: row.disabled,
    description: row.description,
  };
}

function publicOrShared(eb: Eb, projectId: string | undefined) {
  const shared = eb.exists(
    eb
      .selectFrom('compute_flavor_projects')
      .select('compute_flavor_projects.flavorid')
      .whereRef('compute_flavor_projects.flavorid', '=', 'compute_flavors.flavorid')
      .where('compute_flavor_projects.project_id', '=', projectId ?? ''),
  );
  return eb.or([eb('is_public', '=', true), shared]);
}

function visibleTo(eb: Eb, viewer: FlavorViewer) {
  return viewer.isAdmin ? eb.lit(true) : publicOrShared(eb, viewer.projectId);
}

/** The sort expression, and the marker's value of it; a null description sorts as ''. */
function sortValues(eb: Eb, key: FlavorSortKey, marker?: FlavorRow) {
  if (key === 'description') return [eb.fn.coalesce('description', eb.val('')), eb.val(marker?.description ?? '')] as const;
  const column = SORT_COLUMNS[key];
  return [eb.ref(column), eb.val(marker?.[column] ?? null)] as const;
}
