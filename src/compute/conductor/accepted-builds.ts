/**
 * The builds the compute API accepted and cast to the conductors that no conductor has placed on a
 * host yet (the server still BUILDING/`scheduling`, no host), cast again when the API's bus
 * connection is back after a loss (casts-in-transit.ts): casts still queued for a busy conductor
 * die with the broker, and the API already answered 202. A conductor places a build only by a
 * compare-and-set from no host (build-steps.ts), so of two casts of one build, one places it.
 */
import type { Transport } from '../../common/bus/index.js';
import type { InstanceStore } from '../db/instance-store.js';
import type { RequestSpec } from '../scheduler/request-spec.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { CastsInTransit } from './casts-in-transit.js';
import type { BuildRequest, ComputeTaskApi, EvacuateRequest, LiveMigrateRequest, ResizeRequest } from './rpc-api.js';

interface AcceptedBuild {
  readonly build: BuildRequest;
  readonly spec: RequestSpec;
}

/** The API's client of the conductors: it passes everything on, and remembers the builds until placed. */
export class AcceptedBuilds implements ComputeTaskApi {
  readonly #accepted: CastsInTransit<AcceptedBuild>;

  constructor(
    private readonly conductors: ComputeTaskApi,
    instances: Pick<InstanceStore, 'statesOf'>,
  ) {
    this.#accepted = new CastsInTransit({
      instances,
      waitsFor: (state) => state?.vmState === VmState.BUILDING && state.taskState === TaskState.SCHEDULING && state.host === null,
      describe: () => 'build to a conductor',
      // Alone: the others of its request may have been placed.
      send: (_uuid, { build, spec }) => this.conductors.buildInstances([build], spec),
    });
  }

  /** Forgets placed builds every `intervalMs`, and casts again those still waiting when `transport` is back after a loss; answers how to stop. */
  watch(transport: Pick<Transport, 'onReconnected'>, intervalMs: number): () => Promise<void> {
    return this.#accepted.watch(transport, intervalMs);
  }

  /** Each build no conductor has placed goes to the conductors again; how many. */
  castAgain(): Promise<number> {
    return this.#accepted.castAgain();
  }

  async buildInstances(builds: readonly BuildRequest[], spec: RequestSpec): Promise<void> {
    await this.conductors.buildInstances(builds, spec);
    for (const build of builds) this.#accepted.remember(build.instanceUuid, { build, spec });
  }

  unshelveInstance(instanceUuid: string, spec: RequestSpec): Promise<void> {
    return this.conductors.unshelveInstance(instanceUuid, spec);
  }

  resizeInstance(request: ResizeRequest): Promise<void> {
    return this.conductors.resizeInstance(request);
  }

  liveMigrateInstance(request: LiveMigrateRequest, options: { readonly wait: boolean }): Promise<void> {
    return this.conductors.liveMigrateInstance(request, options);
  }

  evacuateInstance(request: EvacuateRequest): Promise<void> {
    return this.conductors.evacuateInstance(request);
  }
}
