/** The conductor's side of the scheduler's RPC API (Nova's SchedulerQueryClient / SchedulerReportClient). */
import { RpcClient, type Transport } from '../../common/bus/index.js';
import type { Aggregate, NodeReport, ServiceStatus } from './host-state.js';
import { NoValidHost, NOT_ENOUGH_HOSTS } from './no-valid-host.js';
import type { RequestSpec } from './request-spec.js';
import type { Destination } from './select-destinations.js';
import { SCHEDULER_API_VERSION, SCHEDULER_TOPIC, toWireSpec, type ClaimedSelection, type ClaimOnHostResult, type SelectDestinationsResult } from './rpc-api.js';

export class SchedulerClient {
  readonly #rpc: RpcClient;

  constructor(transport: Transport, timeoutSeconds: number) {
    this.#rpc = new RpcClient(transport, { topic: SCHEDULER_TOPIC, version: SCHEDULER_API_VERSION, timeoutSeconds });
  }

  /** Claimed hosts, one per instance; NoValidHost (rethrown locally) when the request does not fit. */
  async selectDestinations(spec: Readonly<RequestSpec>, options: { readonly migrationId?: string } = {}): Promise<ClaimedSelection[]> {
    const args = options.migrationId === undefined ? { spec: toWireSpec(spec) } : { spec: toWireSpec(spec), migrationId: options.migrationId };
    const result = await this.#rpc.call<SelectDestinationsResult>('select_destinations', args);
    if ('noValidHost' in result) throw new NoValidHost(NOT_ENOUGH_HOSTS);
    return [...result.selections];
  }

  claimAlternate(instanceUuid: string, spec: Readonly<RequestSpec>, alternates: readonly Destination[]): Promise<ClaimedSelection | null> {
    return this.#rpc.call<ClaimedSelection | null>('claim_alternate', { instanceUuid, spec: toWireSpec(spec), alternates });
  }

  /** A migration's claim on a host the caller forces (no filters). */
  claimOnHost(instanceUuid: string, migrationId: string, spec: Readonly<RequestSpec>, host: string): Promise<ClaimOnHostResult> {
    return this.#rpc.call<ClaimOnHostResult>('claim_on_host', { instanceUuid, migrationId, spec: toWireSpec(spec), host });
  }

  /** A call, so a rollback knows the resources are free before it moves on. */
  async releaseClaim(instanceUuid: string, host?: string): Promise<void> {
    await this.#rpc.call('release_claim', host === undefined ? { instanceUuid } : { instanceUuid, host });
  }

  /** Only the claim keyed by the migration (a reverted or failed resize's destination). */
  async releaseMigrationClaim(instanceUuid: string, migrationId: string): Promise<void> {
    await this.#rpc.call('release_claim', { instanceUuid, migrationId });
  }

  /** A resize confirmed: the source claim goes, the destination's migration claim becomes the instance's. */
  async confirmMigrationClaim(instanceUuid: string, migrationId: string): Promise<void> {
    await this.#rpc.call('confirm_migration_claim', { instanceUuid, migrationId });
  }

  /** To every scheduler, the standing-by ones too (only the active one takes the topic's casts). */
  updateHost(report: NodeReport): Promise<void> {
    return this.#rpc.fanout('update_host', { report });
  }

  updateService(host: string, status: ServiceStatus): Promise<void> {
    return this.#rpc.fanout('update_service', { host, status });
  }

  /** For os-services: a call, so the next boot after `compute service set --disable` is scheduled with it (the standing-by schedulers re-read services every report interval). */
  async serviceChanged(host: string, status: ServiceStatus): Promise<void> {
    await this.#rpc.call('update_service', { host, status });
  }

  /** For os-aggregates: a created or changed aggregate (hosts, metadata, availability zone). */
  updateAggregate(aggregate: Aggregate): Promise<void> {
    return this.#rpc.fanout('update_aggregate', { aggregate });
  }

  removeAggregate(id: number): Promise<void> {
    return this.#rpc.fanout('remove_aggregate', { id });
  }

  /** A call, so the next boot after an os-aggregates change is scheduled with it: the active scheduler re-reads every aggregate, then the standing-by ones. */
  async refreshAggregates(): Promise<void> {
    await this.#rpc.call('refresh_aggregates', {});
    await this.#rpc.fanout('refresh_aggregates', {});
  }
}
