/**
 * The scheduling decision (Nova's select_destinations): filter → weigh → pick, per instance, plus
 * alternates for reschedules. Optimistic and pure with respect to the cache: earlier instances of
 * the request are accounted in a private overlay, and nothing is committed here — the caller
 * claims each selection (claims.ts) and falls back to the alternates when a claim is refused.
 */
import { getLogger, isDebugEnabled } from '../../common/logging/logger.js';
import { DEFAULT_ENABLED_FILTERS, resolveFilters } from './filters/index.js';
import type { HostState, HostStateCache } from './host-state.js';
import { HostRanker, type FilterPass } from './host-ranking.js';
import { NoValidHost, NOT_ENOUGH_HOSTS, type FilterCount } from './no-valid-host.js';
import type { RequestSpec } from './request-spec.js';
import { resourcesFor, type Resources } from './resources.js';
import { DEFAULT_ENABLED_WEIGHERS, resolveWeighers } from './weighers/index.js';

const LOG = getLogger('nimbus.compute.scheduler');

export interface SchedulerOptions {
  /** `[filter_scheduler] enabled_filters`; run cheapest first. */
  readonly enabledFilters?: readonly string[];
  /** `[filter_scheduler] weight_classes`. */
  readonly weighers?: readonly string[];
  /** Per weigher name, e.g. `{ RAMWeigher: -1 }` to stack instead of spread. */
  readonly weightMultipliers?: Readonly<Record<string, number>>;
  /** `[scheduler] max_attempts` (default 3): each selection carries max_attempts − 1 alternates. */
  readonly maxAttempts?: number;
  /** `[filter_scheduler] host_subset_size` (default 1): pick at random among the best N. */
  readonly hostSubsetSize?: number;
  /** Source of randomness for the subset pick; injectable for tests. */
  readonly random?: () => number;
}

export interface Destination {
  readonly host: string;
  readonly node: string;
  readonly cellUuid: string;
}

/** Where one instance goes, and where to retry it if the build fails there. */
export interface Selection {
  readonly instanceUuid: string | undefined;
  readonly destination: Destination;
  readonly alternates: readonly Destination[];
}

interface Pick {
  readonly instanceUuid: string | undefined;
  readonly host: Readonly<HostState>;
}

function destinationOf(host: Readonly<HostState>): Destination {
  return { host: host.host, node: host.node, cellUuid: host.cellUuid };
}

/** `host` as it will look once an earlier instance of this request lands on it. */
function consume(host: Readonly<HostState>, used: Resources, instanceUuid: string | undefined): HostState {
  const instances = new Set(host.instances);
  if (instanceUuid !== undefined) instances.add(instanceUuid);
  return {
    ...host,
    vcpusUsed: host.vcpusUsed + used.vcpus,
    memoryMbUsed: host.memoryMbUsed + used.memoryMb,
    localGbUsed: host.localGbUsed + used.diskMb / 1024,
    numInstances: host.numInstances + 1,
    instances,
  };
}

/** The spec for instance `index`: its uuid, and a server group that includes the earlier picks. */
function specFor(spec: Readonly<RequestSpec>, index: number, picks: readonly Pick[]): RequestSpec {
  const instanceUuid = spec.instanceUuids[index] ?? spec.instanceUuid;
  const group = spec.serverGroup;
  if (!group || picks.length === 0) return { ...spec, instanceUuid };
  const hosts = new Set(group.hosts);
  const members = new Set(group.members);
  for (const pick of picks) {
    hosts.add(pick.host.host);
    if (pick.instanceUuid !== undefined) members.add(pick.instanceUuid);
  }
  return { ...spec, instanceUuid, serverGroup: { ...group, hosts, members } };
}

/** Whether the request forces its hosts or nodes. */
function forced(spec: Readonly<RequestSpec>): boolean {
  return (spec.forceHosts?.length ?? 0) > 0 || (spec.forceNodes?.length ?? 0) > 0;
}

export class FilterScheduler {
  readonly #ranker: HostRanker;
  readonly #alternates: number;
  readonly #subsetSize: number;
  readonly #random: () => number;

  /** Throws on an unknown filter or weigher name, so a typo fails the service at start. */
  constructor(options: SchedulerOptions = {}) {
    const filters = resolveFilters(options.enabledFilters ?? DEFAULT_ENABLED_FILTERS);
    const weighers = resolveWeighers(options.weighers ?? DEFAULT_ENABLED_WEIGHERS, options.weightMultipliers);
    this.#ranker = new HostRanker(filters, weighers);
    this.#alternates = Math.max(0, (options.maxAttempts ?? 3) - 1);
    this.#subsetSize = Math.max(1, options.hostSubsetSize ?? 1);
    this.#random = options.random ?? Math.random;
  }

  /** One selection per instance (num_instances), or NoValidHost when any cannot be placed. */
  selectDestinations(cache: HostStateCache, spec: Readonly<RequestSpec>): Selection[] {
    const hosts = cache.hosts();
    const ranker = this.#ranker;
    const wanted = spec.requestedDestination;
    const only = wanted ? cache.get(wanted.host) : undefined;
    const onlyIndex = only && (wanted?.node === undefined || wanted.node === only.node) ? hosts.indexOf(only) : -1;
    ranker.reset(hosts.length, wanted ? onlyIndex : undefined);
    if (spec.ignoreHosts !== undefined && spec.ignoreHosts.length > 0) ranker.exclude(hosts, new Set(spec.ignoreHosts));
    const isForced = this.#force(hosts, spec);

    const picks: Pick[] = [];
    const overlay = new Map<Readonly<HostState>, Readonly<HostState>>();
    const resources = resourcesFor(spec);
    // Per instance only the subset to pick from is needed; one instance also takes its alternates
    // from this ranking, several re-rank once at the end (see #withAlternates).
    const keep = this.#subsetSize + (spec.numInstances === 1 ? this.#alternates : 0);
    for (let index = 0; index < spec.numInstances; index += 1) {
      const instanceSpec = specFor(spec, index, picks);
      // Nova skips the filters for a forced host or node: the claim alone says whether it fits.
      const pass = isForced ? this.#unfiltered() : ranker.filter(hosts, instanceSpec, overlay, index > 0);
      if (ranker.count === 0) this.#noValidHost(instanceSpec, pass);
      if (isDebugEnabled()) LOG.debug(`Filter results: ${this.#describe(pass).join(', ')}`, { instance: instanceSpec.instanceUuid });
      ranker.rank(hosts, instanceSpec, overlay, keep);
      const choice = Math.floor(this.#random() * Math.min(this.#subsetSize, ranker.topIndexes.length));
      const base = hosts[ranker.topIndexes[choice] ?? -1];
      if (!base) this.#noValidHost(instanceSpec, pass);
      const current = overlay.get(base) ?? base;
      overlay.set(base, consume(current, resources, instanceSpec.instanceUuid));
      picks.push({ instanceUuid: instanceSpec.instanceUuid, host: base });
    }
    return this.#withAlternates(hosts, spec, picks, overlay);
  }

  /**
   * Alternates come from the hosts that pass after every pick is accounted (Nova re-filters when
   * num_instances > 1), excluding every picked host, from the picked host's cell.
   */
  #withAlternates(
    hosts: readonly HostState[],
    spec: Readonly<RequestSpec>,
    picks: readonly Pick[],
    overlay: ReadonlyMap<Readonly<HostState>, Readonly<HostState>>,
  ): Selection[] {
    const ranker = this.#ranker;
    const picked = new Set(picks.map((pick) => pick.host));
    if (this.#alternates > 0 && picks.length > 1 && !forced(spec)) {
      const finalSpec = specFor(spec, picks.length - 1, picks);
      ranker.filter(hosts, finalSpec, overlay, true);
      ranker.rank(hosts, finalSpec, overlay, picked.size + this.#alternates);
    }
    return picks.map((pick) => {
      const alternates: Destination[] = [];
      for (const index of ranker.topIndexes) {
        if (alternates.length >= this.#alternates) break;
        const host = hosts[index];
        if (host && !picked.has(host) && host.cellUuid === pick.host.cellUuid) alternates.push(destinationOf(host));
      }
      return { instanceUuid: pick.instanceUuid, destination: destinationOf(pick.host), alternates };
    });
  }

  /** Narrows the candidates to the forced hosts and nodes (Nova's _match_forced_hosts/_nodes); whether any were forced. */
  #force(hosts: readonly HostState[], spec: Readonly<RequestSpec>): boolean {
    if (!forced(spec)) return false;
    const names = new Set((spec.forceHosts ?? []).map((name) => name.toLowerCase()));
    const nodes = new Set(spec.forceNodes ?? []);
    this.#ranker.retain(hosts, (host) => (names.size === 0 || names.has(host.host.toLowerCase())) && (nodes.size === 0 || nodes.has(host.node)));
    const wanted = [...(spec.forceHosts ?? []), ...(spec.forceNodes ?? [])].join(', ');
    if (this.#ranker.count === 0) LOG.info(`No hosts matched due to not matching 'force_hosts'/'force_nodes' value of '${wanted}'`, { instance: spec.instanceUuid });
    else LOG.debug(`Host filter forcing available hosts to ${wanted}`, { instance: spec.instanceUuid });
    return true;
  }

  /** The filter results of a forced request: every candidate, no filter run. */
  #unfiltered(): FilterPass {
    return { remaining: this.#ranker.filters.map(() => this.#ranker.count).concat(this.#ranker.count), examples: [] };
  }

  #describe(pass: FilterPass): string[] {
    return this.#ranker.filters.map((filter, f) => `${filter.name}: (start: ${pass.remaining[f]}, end: ${pass.remaining[f + 1]})`);
  }

  #noValidHost(spec: Readonly<RequestSpec>, pass: FilterPass): never {
    const filters = this.#ranker.filters;
    const counts: FilterCount[] = filters.map((filter, f) => ({
      filter: filter.name,
      start: pass.remaining[f] ?? 0,
      end: pass.remaining[f + 1] ?? 0,
    }));
    const culprit = counts.find((count) => count.end === 0 && count.start > 0);
    const instance = spec.instanceUuid;
    if (culprit) {
      LOG.info(`Filter ${culprit.filter} returned 0 hosts`, { instance });
      const example = pass.examples[filters.findIndex((filter) => filter.name === culprit.filter)];
      if (example !== undefined) LOG.debug(`${culprit.filter} rejected, for example: ${example}`, { instance });
    }
    LOG.info(
      `Filtering removed all hosts for the request with instance ID '${instance ?? ''}'. ` +
        `Filter results: [${this.#describe(pass).map((line) => `'${line}'`).join(', ')}]`,
      { instance },
    );
    throw new NoValidHost(NOT_ENOUGH_HOSTS, counts);
  }
}
