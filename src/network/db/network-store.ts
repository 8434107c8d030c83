import type { Kysely } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { AgentRows } from './store/agent-rows.js';
import { DefaultSecurityGroupRows, IpAllocationRows, PortSecurityGroupRows, RouterPortRows, SegmentAllocationRows } from './store/links.js';
import { PortPlacementRows } from './store/port-placement-rows.js';
import { QuotaRows, TagRows } from './store/quota-and-tag-rows.js';
import { ResourceRows } from './store/resource-rows.js';
import { SubnetPoolHashes } from './store/subnetpool-hashes.js';
import type { NetworkTables } from './tables.js';

/**
 * The network service's one door to its tables: nothing else issues SQL against them. A request
 * that writes several rows runs inside `transaction`, so that a failure leaves none of them.
 */
export class NetworkStore {
  readonly networks: ResourceRows<'net_networks'>;
  readonly subnets: ResourceRows<'net_subnets'>;
  readonly subnetPools: ResourceRows<'net_subnetpools'>;
  readonly subnetPoolHashes: SubnetPoolHashes;
  readonly ports: ResourceRows<'net_ports'>;
  readonly portPlacements: PortPlacementRows;
  readonly securityGroups: ResourceRows<'net_security_groups'>;
  readonly securityGroupRules: ResourceRows<'net_security_group_rules'>;
  readonly routers: ResourceRows<'net_routers'>;
  readonly floatingIps: ResourceRows<'net_floating_ips'>;
  readonly ipAllocations: IpAllocationRows;
  readonly segments: SegmentAllocationRows;
  readonly portSecurityGroups: PortSecurityGroupRows;
  readonly defaultSecurityGroups: DefaultSecurityGroupRows;
  readonly routerPorts: RouterPortRows;
  readonly quotas: QuotaRows;
  readonly tags: TagRows;
  readonly agents: AgentRows;

  private constructor(
    private readonly database: Database,
    private readonly db: Kysely<NetworkTables>,
    private readonly now: () => Date,
    private readonly inTransaction: boolean,
  ) {
    const timestamp = () => this.timestamp();
    this.networks = new ResourceRows(db, 'net_networks', timestamp);
    this.subnets = new ResourceRows(db, 'net_subnets', timestamp);
    this.subnetPools = new ResourceRows(db, 'net_subnetpools', timestamp);
    this.subnetPoolHashes = new SubnetPoolHashes(db);
    this.ports = new ResourceRows(db, 'net_ports', timestamp);
    this.portPlacements = new PortPlacementRows(db);
    this.securityGroups = new ResourceRows(db, 'net_security_groups', timestamp);
    this.securityGroupRules = new ResourceRows(db, 'net_security_group_rules', timestamp);
    this.routers = new ResourceRows(db, 'net_routers', timestamp);
    this.floatingIps = new ResourceRows(db, 'net_floating_ips', timestamp);
    this.ipAllocations = new IpAllocationRows(db);
    this.segments = new SegmentAllocationRows(db);
    this.portSecurityGroups = new PortSecurityGroupRows(db);
    this.defaultSecurityGroups = new DefaultSecurityGroupRows(db);
    this.routerPorts = new RouterPortRows(db);
    this.quotas = new QuotaRows(db);
    this.tags = new TagRows(db);
    this.agents = new AgentRows(db);
  }

  static open(database: Database, now: () => Date = () => new Date()): NetworkStore {
    return new NetworkStore(database, database.kysely.withTables<NetworkTables>(), now, false);
  }

  timestamp(): string {
    return toDbTimestamp(this.now());
  }

  /** True when the error is a unique-key violation: a duplicate, or a lost race for an address, a MAC or an id. */
  isUniqueViolation(error: unknown): boolean {
    return this.database.isUniqueViolation(error);
  }

  /** Runs fn with a store whose statements share one transaction (the same store when already in one). */
  async transaction<T>(fn: (store: NetworkStore) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new NetworkStore(this.database, trx, this.now, true)));
  }
}
