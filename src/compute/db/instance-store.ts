/**
 * The conductor's instance reads and writes (Nova's Instance.save, InstanceFault.create): every
 * instance change an agent asks for lands here.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { DEFAULT_ZONE } from '../admin/availability-zones.js';
import { readSystemMetadata, writeSystemMetadata } from './system-metadata.js';
import type { ComputeTables, InstancesTable } from './tables.js';
import { compareAndSetInstanceState, type InstanceChanges } from './instance-state-compare-and-set.js';
import type { FlavorSpec } from '../virt/instance-spec.js';
import { VmState } from '../state/vm-states.js';
import { agentVolumeOf, type AgentVolume } from '../volumes/block-device.js';
import { BlockDeviceStore } from './bdm-store.js';
import { parseNetworkInfo, type NetworkInfo } from '../network/network-info.js';
import type { AgentInstance, FaultArgs, InstanceFlavors, InstanceUpdateArgs } from '../conductor/rpc-api.js';

interface StoredFlavor {
  readonly name?: string;
  readonly flavorid?: string;
  readonly swap?: number;
  readonly extra_specs?: Record<string, string>;
}

export class InstanceStore {
  readonly #db: Kysely<ComputeTables>;

  readonly #blockDevices: BlockDeviceStore;

  constructor(private readonly database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
    this.#blockDevices = new BlockDeviceStore(database);
  }

  async get(uuid: string): Promise<AgentInstance | undefined> {
    return (await this.forMetadata(uuid))?.instance;
  }

  /** The instance with its reservation id (the EC2 tree's reservation-id), for the metadata service. */
  async forMetadata(uuid: string): Promise<{ readonly instance: AgentInstance; readonly reservationId: string } | undefined> {
    const row = await this.#db.selectFrom('compute_instances').selectAll().where('uuid', '=', uuid).where('deleted', '=', false).executeTakeFirst();
    if (row === undefined) return undefined;
    const [metadata, networkInfo, volumes] = await Promise.all([this.#metadataOf([uuid]), this.#networkInfoOf([uuid]), this.#volumesOf([uuid])]);
    return { instance: toAgentInstance(row, metadata.get(uuid), networkInfo.get(uuid), volumes.get(uuid)), reservationId: row.reservation_id };
  }

  async onHost(host: string): Promise<AgentInstance[]> {
    const rows = await this.#db.selectFrom('compute_instances').selectAll().where('host', '=', host).where('deleted', '=', false).execute();
    const uuids = rows.map((row) => row.uuid);
    const [metadata, networkInfo, volumes] = await Promise.all([this.#metadataOf(uuids), this.#networkInfoOf(uuids), this.#volumesOf(uuids)]);
    return rows.map((row) => toAgentInstance(row, metadata.get(row.uuid), networkInfo.get(row.uuid), volumes.get(row.uuid)));
  }

  /** The state and host of each instance named that is not deleted, in one query (the conductor's look at the builds it cast). */
  async statesOf(uuids: readonly string[]): Promise<Map<string, Pick<AgentInstance, 'vmState' | 'taskState' | 'host'>>> {
    if (uuids.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom('compute_instances')
      .select(['uuid', 'vm_state', 'task_state', 'host'])
      .where('uuid', 'in', uuids)
      .where('deleted', '=', false)
      .execute();
    return new Map(rows.map((row) => [row.uuid, { vmState: row.vm_state, taskState: row.task_state, host: row.host }]));
  }

  /** Uuids and hosts of the instances in BUILD since before `createdBefore` (Nova's _check_instance_build_time query). */
  async buildingSince(createdBefore: Date): Promise<{ readonly uuid: string; readonly host: string | null }[]> {
    return this.#db
      .selectFrom('compute_instances')
      .select(['uuid', 'host'])
      .where('vm_state', '=', VmState.BUILDING)
      .where('created_at', '<', toDbTimestamp(createdBefore))
      .where('deleted', '=', false)
      .execute();
  }

  /** The volumes of each instance named, from its block device mappings. */
  async #volumesOf(uuids: readonly string[]): Promise<Map<string, AgentVolume[]>> {
    const mappings = await this.#blockDevices.ofInstances(uuids);
    return new Map(
      [...mappings].map(([uuid, list]) => [
        uuid,
        list
          .filter((mapping) => mapping.volumeId !== null && mapping.destinationType === 'volume')
          .map(agentVolumeOf),
      ]),
    );
  }

  /** The stored network info of each instance named (Nova's InstanceInfoCache), by uuid. */
  async #networkInfoOf(uuids: readonly string[]): Promise<Map<string, NetworkInfo>> {
    if (uuids.length === 0) return new Map();
    const rows = await this.#db.selectFrom('compute_instance_info_caches').select(['instance_uuid', 'network_info']).where('instance_uuid', 'in', uuids).execute();
    return new Map(rows.map((row) => [row.instance_uuid, parseNetworkInfo(row.network_info)]));
  }

  /** Replaces the instance's network info cache (Nova's InstanceInfoCache.save). */
  async setNetworkInfo(uuid: string, networkInfo: NetworkInfo): Promise<void> {
    const values = { network_info: JSON.stringify(networkInfo), updated_at: toDbTimestamp(new Date()) };
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('compute_instance_info_caches').where('instance_uuid', '=', uuid).execute();
      await trx.insertInto('compute_instance_info_caches').values({ instance_uuid: uuid, ...values }).execute();
    });
  }

  /** The metadata of each instance named, by uuid (none listed: no metadata). */
  async #metadataOf(uuids: readonly string[]): Promise<Map<string, Record<string, string>>> {
    const byInstance = new Map<string, Record<string, string>>();
    if (uuids.length === 0) return byInstance;
    const rows = await this.#db.selectFrom('compute_instance_metadata').select(['instance_uuid', 'key', 'value']).where('instance_uuid', 'in', uuids).execute();
    for (const { instance_uuid: uuid, key, value } of rows) byInstance.set(uuid, { ...byInstance.get(uuid), [key]: value });
    return byInstance;
  }

  async update({ uuid, expected, changes }: InstanceUpdateArgs): Promise<boolean> {
    const now = new Date();
    const columns: InstanceChanges = {
      ...(changes.flavors === undefined ? {} : await this.#flavorColumns(uuid, changes.flavors)),
      ...(changes.vmState === undefined ? {} : { vm_state: changes.vmState }),
      ...(changes.taskState === undefined ? {} : { task_state: changes.taskState }),
      ...(changes.powerState === undefined ? {} : { power_state: changes.powerState }),
      ...(changes.host === undefined ? {} : { host: changes.host }),
      ...(changes.node === undefined ? {} : { node: changes.node }),
      ...(changes.availabilityZone === undefined ? {} : { availability_zone: changes.availabilityZone }),
      ...(changes.configDrive ? { config_drive: 'True' } : {}),
      ...(changes.launchedAt === undefined ? {} : { launched_at: toDbTimestamp(new Date(changes.launchedAt)) }),
      ...(changes.terminatedAt === undefined ? {} : { terminated_at: toDbTimestamp(new Date(changes.terminatedAt)) }),
      ...(changes.deleted ? { deleted: true, deleted_at: toDbTimestamp(now) } : {}),
    };
    const applied = await compareAndSetInstanceState(this.database, uuid, expected, columns, now);
    if (applied && changes.systemMetadata !== undefined) await writeSystemMetadata(this.#db, uuid, changes.systemMetadata);
    return applied;
  }

  systemMetadata(uuid: string): Promise<Record<string, string>> {
    return readSystemMetadata(this.#db, uuid);
  }

  /** The flavor JSON and, for a new current flavor, the columns usage is counted from. */
  async #flavorColumns(uuid: string, flavors: InstanceFlavors): Promise<InstanceChanges> {
    let cur: unknown = flavors.cur;
    if (cur === undefined) {
      const row = await this.#db.selectFrom('compute_instances').select('flavor').where('uuid', '=', uuid).executeTakeFirst();
      cur = row === undefined ? null : (JSON.parse(row.flavor) as { cur?: unknown }).cur ?? null;
    }
    const json = JSON.stringify({ cur, old: flavors.old, new: flavors.new });
    const flavor = flavors.cur;
    if (flavor === undefined) return { flavor: json };
    return { flavor: json, flavor_id: flavor.flavorid, vcpus: flavor.vcpus, memory_mb: flavor.memory_mb, root_gb: flavor.root_gb, ephemeral_gb: flavor.ephemeral_gb };
  }

  async addFault(fault: FaultArgs): Promise<void> {
    await this.#db
      .insertInto('compute_instance_faults')
      .values({
        instance_uuid: fault.uuid,
        code: fault.code,
        message: fault.message,
        details: fault.details ?? null,
        host: fault.host ?? null,
        created_at: toDbTimestamp(new Date()),
      })
      .execute();
  }
}

function toAgentInstance(
  row: Selectable<InstancesTable>,
  metadata: Readonly<Record<string, string>> = {},
  networkInfo: NetworkInfo = [],
  volumes: readonly AgentVolume[] = [],
): AgentInstance {
  return {
    uuid: row.uuid,
    name: `instance-${row.uuid.slice(0, 8)}`,
    hostname: row.hostname,
    displayName: row.display_name,
    projectId: row.project_id,
    userId: row.user_id,
    launchIndex: row.launch_index,
    // The zone of its host, set when the conductor placed it (Nova's instance.availability_zone).
    availabilityZone: row.availability_zone ?? DEFAULT_ZONE,
    imageRef: row.image_ref,
    flavor: flavorOf(row),
    vmState: row.vm_state,
    taskState: row.task_state,
    powerState: row.power_state,
    host: row.host,
    node: row.node,
    userData: row.user_data,
    keyName: row.key_name,
    keyData: row.key_data,
    // Nova stores 'True' or '' (older releases an image id): anything but empty asks for one.
    configDrive: row.config_drive !== '',
    rootDeviceName: row.root_device_name,
    metadata,
    volumes,
    networkInfo,
  };
}

/** Sizes come from the columns (the source of truth for usage); name, swap and extra specs from the stored flavor. */
function flavorOf(row: Selectable<InstancesTable>): FlavorSpec {
  const parsed = JSON.parse(row.flavor) as { cur?: StoredFlavor } | null;
  const stored: StoredFlavor = parsed?.cur ?? {};
  return {
    id: stored.flavorid ?? row.flavor_id,
    name: stored.name ?? row.flavor_id,
    vcpus: row.vcpus,
    memoryMb: row.memory_mb,
    rootGb: row.root_gb,
    ephemeralGb: row.ephemeral_gb,
    swapMb: stored.swap ?? 0,
    extraSpecs: stored.extra_specs ?? {},
  };
}
