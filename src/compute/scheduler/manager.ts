/**
 * The scheduler worker (Nova's SchedulerManager): the one process that owns the HostStateCache,
 * so its claims are atomic. Several may run (one per API node); one is active at a time. `select_destinations` filters, weighs and claims in one synchronous
 * step per request — nothing interleaves between the decision and the claim in Node's single
 * thread — and answers with hosts already claimed.
 */
import type { Transport } from '../../common/bus/index.js';
import { RpcServer } from '../../common/bus/index.js';
import { newAdminContext, runWithContext } from '../../common/context/request-context.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ServiceRegistry, StopHeartbeat } from '../../common/service/service-registry.js';
import { claim, claimFirst, release, transferClaim, type Claim } from './claims.js';
import { HostStateCache, type HostStateCacheOptions } from './host-state.js';
import { NoValidHost, NOT_ENOUGH_HOSTS } from './no-valid-host.js';
import { resourcesFor } from './resources.js';
import { FilterScheduler, type SchedulerOptions } from './select-destinations.js';
import type { SchedulerHostSource } from './host-source.js';
import {
  fromWireSpec,
  SCHEDULER_API_VERSION,
  SCHEDULER_TOPIC,
  type ClaimAlternateArgs,
  type ClaimedSelection,
  type ClaimOnHostArgs,
  type ClaimOnHostResult,
  type ConfirmMigrationClaimArgs,
  type ReleaseClaimArgs,
  type SelectDestinationsArgs,
  type SelectDestinationsResult,
  type UpdateAggregateArgs,
  type UpdateHostArgs,
  type UpdateServiceArgs,
} from './rpc-api.js';

const LOG = getLogger('nimbus.compute.scheduler.manager');

export interface SchedulerServiceOptions {
  readonly transport: Transport;
  readonly source: SchedulerHostSource;
  /** Registers `nova-scheduler` and heartbeats it. */
  readonly registry: Pick<ServiceRegistry, 'register' | 'startHeartbeat'>;
  /** This process's host name, as the services table shows it. */
  readonly host: string;
  readonly scheduler?: SchedulerOptions;
  readonly cache?: HostStateCacheOptions;
  /** Heartbeat and service-state refresh period ([DEFAULT] report_interval), ms. */
  readonly reportIntervalMs?: number;
}

export class SchedulerService {
  readonly cache: HostStateCache;
  readonly #scheduler: FilterScheduler;
  readonly #server: RpcServer;
  /** Claims held per instance; released by uuid since the holder's Claim object stays here. */
  readonly #claims = new Map<string, Claim[]>();
  #stopHeartbeat: StopHeartbeat | undefined;
  #refreshTimer: NodeJS.Timeout | undefined;
  #refreshFailing = false;

  constructor(private readonly options: SchedulerServiceOptions) {
    this.cache = new HostStateCache(options.cache);
    this.#scheduler = new FilterScheduler(options.scheduler);
    this.#server = new RpcServer(
      options.transport,
      // One scheduler decides at a time, so its in-memory claims stay atomic across processes; the
      // others keep their caches current from the fanout and take over when it goes.
      { topic: SCHEDULER_TOPIC, server: options.host, version: SCHEDULER_API_VERSION, singleActive: true },
      {
        select_destinations: (args: SelectDestinationsArgs): Promise<SelectDestinationsResult> => this.#selectOrRefresh(args),
        claim_alternate: (args: ClaimAlternateArgs) => this.claimAlternate(args),
        claim_on_host: (args: ClaimOnHostArgs) => this.claimOnHost(args),
        release_claim: (args: ReleaseClaimArgs) => this.releaseClaim(args),
        confirm_migration_claim: (args: ConfirmMigrationClaimArgs) => this.confirmMigrationClaim(args),
        update_host: (args: UpdateHostArgs) => void this.cache.upsertNode(args.report),
        update_service: (args: UpdateServiceArgs) => this.cache.markService(args.host, args.status),
        update_aggregate: (args: UpdateAggregateArgs) => this.cache.upsertAggregate(args.aggregate),
        remove_aggregate: (args: { id: number }) => this.cache.removeAggregate(args.id),
        refresh_aggregates: () => this.#reloadAggregates(),
      },
    );
  }

  #aggregateIds: ReadonlySet<number> = new Set();

  async start(): Promise<void> {
    const { source, registry, host } = this.options;
    for (const node of await source.loadNodes()) this.cache.upsertNode(node);
    await this.#reloadAggregates();
    await this.#refreshServices();
    await this.#server.start();
    const service = await registry.register({ binary: 'nova-scheduler', host, topic: SCHEDULER_TOPIC });
    const interval = this.options.reportIntervalMs ?? 10_000;
    this.#stopHeartbeat = registry.startHeartbeat(service.id, interval);
    // Services go down by silence, which no report announces: re-read their state each period.
    this.#refreshTimer = setInterval(() => void runWithContext(newAdminContext(), () => this.#refreshServices()), interval);
    this.#refreshTimer.unref();
    LOG.info(`Scheduler started with ${this.cache.size} compute hosts`);
  }

  /** Replaces the cache's aggregates with the database's (os-aggregates changed them). */
  async #reloadAggregates(): Promise<void> {
    const fresh = await this.options.source.loadAggregates();
    const ids = new Set(fresh.map((aggregate) => aggregate.id));
    for (const id of this.#aggregateIds) if (!ids.has(id)) this.cache.removeAggregate(id);
    for (const aggregate of fresh) this.cache.upsertAggregate(aggregate);
    this.#aggregateIds = ids;
  }

  async stop(): Promise<void> {
    clearInterval(this.#refreshTimer);
    await this.#server.stop();
    await this.#stopHeartbeat?.();
  }

  /** Selects and claims a host per instance; all or nothing — a refused instance releases the others. */
  selectDestinations({ spec: wire, migrationId }: SelectDestinationsArgs): ClaimedSelection[] {
    const started = performance.now();
    const spec = fromWireSpec(wire);
    const resources = resourcesFor(spec);
    const selections = this.#scheduler.selectDestinations(this.cache, spec);
    const claimed: ClaimedSelection[] = [];
    for (const [index, selection] of selections.entries()) {
      const instanceUuid = selection.instanceUuid ?? spec.instanceUuids[index] ?? spec.instanceUuid;
      if (instanceUuid === undefined) throw new Error('select_destinations needs an instance uuid per instance');
      const candidates = [selection.destination, ...selection.alternates];
      const attempt = claimFirst(this.cache, candidates, migrationId === undefined ? { instanceUuid } : { instanceUuid, migrationId }, resources);
      if (!attempt.claim) {
        for (const done of claimed) this.releaseClaim({ instanceUuid: done.instanceUuid });
        LOG.info(`Claims refused: ${attempt.refusals.map((refusal) => refusal.reason).join('; ')}`, { instance: instanceUuid });
        throw new NoValidHost(NOT_ENOUGH_HOSTS);
      }
      this.#remember(attempt.claim);
      const at = candidates.findIndex((candidate) => candidate.host === attempt.claim?.host);
      const destination = candidates[at] ?? selection.destination;
      claimed.push({ instanceUuid, destination, alternates: candidates.slice(at + 1), resources });
      // The decision's time (filters, weighers and claim) among the cache's hosts: bench/scale reads it from this line.
      LOG.info(`Selected host ${destination.host} among ${this.cache.size} hosts in ${(performance.now() - started).toFixed(3)} ms`, { instance: instanceUuid });
    }
    return claimed;
  }

  /**
   * select_destinations as the bus asks it: NoValidHost is an answer, not a fault. Before giving
   * it, the services' states are read again and the choice made once more: they are re-read every
   * report interval, and a host back up since (its agent restarted) is one Nova's scheduler, which
   * reads them at each request, would already take.
   */
  async #selectOrRefresh(args: SelectDestinationsArgs): Promise<SelectDestinationsResult> {
    const first = this.#answerSelect(args);
    if (!('noValidHost' in first)) return first;
    LOG.info('No valid host among the states known: reading the compute services again before answering');
    await this.#refreshServices();
    return this.#answerSelect(args);
  }

  #answerSelect(args: SelectDestinationsArgs): SelectDestinationsResult {
    try {
      return { selections: this.selectDestinations(args) };
    } catch (error) {
      if (error instanceof NoValidHost) return { noValidHost: error.message };
      throw error;
    }
  }

  /** A reschedule: claims the first alternate that still has room, or null when none has. */
  claimAlternate({ instanceUuid, spec, alternates }: ClaimAlternateArgs): ClaimedSelection | null {
    const resources = resourcesFor(fromWireSpec(spec));
    const attempt = claimFirst(this.cache, alternates, { instanceUuid }, resources);
    if (!attempt.claim) return null;
    this.#remember(attempt.claim);
    const at = alternates.findIndex((candidate) => candidate.host === attempt.claim?.host);
    const destination = alternates[at];
    if (!destination) return null;
    LOG.info(`Rescheduled to alternate host ${destination.host}`, { instance: instanceUuid });
    return { instanceUuid, destination, alternates: alternates.slice(at + 1), resources };
  }

  /** A forced migration destination: the claim alone decides, no filter runs. */
  claimOnHost({ instanceUuid, migrationId, spec, host }: ClaimOnHostArgs): ClaimOnHostResult {
    const resources = resourcesFor(fromWireSpec(spec));
    const result = claim(this.cache, host, { instanceUuid, migrationId }, resources);
    if (!result.claimed) {
      LOG.info(`Claim on ${host} refused: ${result.reason}`, { instance: instanceUuid });
      return { refused: result.reason };
    }
    this.#remember(result.claim);
    const state = this.cache.get(host);
    const destination = { host, node: state?.node ?? host, cellUuid: state?.cellUuid ?? '' };
    return { selection: { instanceUuid, destination, alternates: [], resources } };
  }

  releaseClaim({ instanceUuid, host, migrationId }: ReleaseClaimArgs): number {
    const held = this.#claims.get(instanceUuid) ?? [];
    const released = held.filter((claim) => (host === undefined || claim.host === host) && (migrationId === undefined || claim.migrationId === migrationId));
    for (const claim of released) release(this.cache, claim);
    const kept = held.filter((claim) => !released.includes(claim));
    if (kept.length === 0) this.#claims.delete(instanceUuid);
    else this.#claims.set(instanceUuid, kept);
    return released.length;
  }

  /**
   * A resize confirmed: the instance's own claims (the source's) are released and the claim its
   * migration holds on the destination becomes the instance's, so the next report absorbs it.
   * Returns how many claims the instance holds afterwards.
   */
  confirmMigrationClaim({ instanceUuid, migrationId }: ConfirmMigrationClaimArgs): number {
    const held = this.#claims.get(instanceUuid) ?? [];
    // Settled already (a repeated confirm): the instance's claim now is the one that moved.
    if (!held.some((claim) => claim.migrationId === migrationId)) return held.length;
    for (const claim of held.filter((candidate) => candidate.migrationId === undefined)) release(this.cache, claim);
    const kept: Claim[] = [];
    for (const claim of held.filter((candidate) => candidate.migrationId !== undefined)) {
      const moved = claim.migrationId === migrationId ? transferClaim(this.cache, claim, { instanceUuid }) : claim;
      if (moved !== null) kept.push(moved);
    }
    if (kept.length === 0) this.#claims.delete(instanceUuid);
    else this.#claims.set(instanceUuid, kept);
    LOG.info(`Moved the claim of migration ${migrationId} to the instance`, { instance: instanceUuid });
    return kept.length;
  }

  #remember(claim: Claim): void {
    const held = this.#claims.get(claim.instanceUuid) ?? [];
    held.push(claim);
    this.#claims.set(claim.instanceUuid, held);
  }

  /** A failing refresh (the database down) is logged when it starts failing and when it recovers, not at every tick. */
  async #refreshServices(): Promise<void> {
    try {
      for (const { host, status } of await this.options.source.loadComputeServices()) this.cache.markService(host, status);
      if (this.#refreshFailing) LOG.info('Compute service states are being refreshed again');
      this.#refreshFailing = false;
    } catch (error) {
      if (!this.#refreshFailing) LOG.warning(`Cannot refresh compute service states (retrying every report interval): ${messageOf(error)}`);
      this.#refreshFailing = true;
    }
  }
}
