/** Every compute store over one database: what the composition hands the API and the workers instead of the database itself. */
import type { Database } from '../../common/db/database.js';
import { ActionStore } from './action-store.js';
import { AggregateStore } from './aggregate-store.js';
import { ConductorTaskStore } from './conductor-task-store.js';
import { ConsoleTokenStore } from './console-token-store.js';
import { RequestStepStore } from './request-step-store.js';
import { BlockDeviceStore } from './bdm-store.js';
import { FaultInjectionStore } from './fault-injection-store.js';
import { FlavorStore } from './flavor-store.js';
import { InstanceStore } from './instance-store.js';
import { KeyPairStore } from './keypair-store.js';
import { MigrationStore } from './migration-store.js';
import { NodeStore } from './node-store.js';
import { QuotaStore } from './quota-store.js';
import { ServerGroupStore } from './server-group-store.js';
import { ServerStore } from './server-store.js';
import { UsageStore } from './usage-store.js';

export interface ComputeStores {
  readonly servers: ServerStore;
  readonly instances: InstanceStore;
  readonly actions: ActionStore;
  readonly migrations: MigrationStore;
  readonly nodes: NodeStore;
  readonly flavors: FlavorStore;
  readonly keypairs: KeyPairStore;
  readonly quotas: QuotaStore;
  readonly aggregates: AggregateStore;
  readonly serverGroups: ServerGroupStore;
  readonly usage: UsageStore;
  readonly consoleTokens: ConsoleTokenStore;
  readonly requestSteps: RequestStepStore;
  readonly blockDevices: BlockDeviceStore;
  readonly faultInjections: FaultInjectionStore;
  /** Which conductor runs which instance's build or move (start-up recovery reads it). */
  readonly conductorTasks: ConductorTaskStore;
}

/** `now` stamps migrations (tests move time). */
export function createComputeStores(database: Database, now: () => Date = () => new Date()): ComputeStores {
  const actions = new ActionStore(database);
  return {
    servers: new ServerStore(database, actions),
    instances: new InstanceStore(database),
    actions,
    migrations: new MigrationStore(database, now),
    nodes: new NodeStore(database),
    flavors: new FlavorStore(database),
    keypairs: new KeyPairStore(database),
    quotas: new QuotaStore(database),
    aggregates: new AggregateStore(database),
    serverGroups: new ServerGroupStore(database),
    usage: new UsageStore(database),
    consoleTokens: new ConsoleTokenStore(database),
    requestSteps: new RequestStepStore(database),
    blockDevices: new BlockDeviceStore(database),
    faultInjections: new FaultInjectionStore(database),
    conductorTasks: new ConductorTaskStore(database, now),
  };
}
