/**
 * The builds the compute API accepted and cast to the conductors that no conductor has placed on a
 * host yet (the server still BUILDING/`scheduling`, no host), cast again when the API's bus
 * connection is back after a loss (builds-in-transit.ts): casts still queued for a busy conductor
 * die with the broker, and the API already answered 202. A conductor places a build only by a
 * compare-and-set from no host (build-steps.ts), so of two casts of one build, one places it.
 */
import type { Transport } from '../../common/bus/index.js';
import { PeriodicTasks } from '../agent/periodic-tasks.js';
import type { InstanceStore } from '../db/instance-store.js';
import type { RequestSpec } from '../scheduler/request-spec.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { BuildsInTransit } from './builds-in-transit.js';
import type { BuildRequest, ComputeTaskApi, EvacuateRequest, LiveMigrateRequest, ResizeRequest } from './rpc-api.js';

interface AcceptedBuild {
  readonly build: BuildRequest;
  readonly spec: RequestSpec;
}

/** The API's client of the conductors: it passes everything on, and remembers the builds until placed. */
export class AcceptedBuilds implements ComputeTaskApi {
  readonly #accepted: BuildsInTransit<AcceptedBuild>;
  readonly #periodic = new PeriodicTasks();
  #stopRecasting: (() => void) | undefined;

  constructor(
    private readonly conductors: ComputeTaskApi,
    instances: Pick<InstanceStore, 'statesOf'>,
  ) {
    this.#accepted = new BuildsInTransit({
      instances,
      waitsFor: (state) => state?.vmState === VmState.BUILDING && state.taskState === TaskState.SCHEDULING && state.host === null,
      receiverOf: () => 'a conductor',
    });
  }

  /** Forgets placed builds every `intervalMs`, and casts again those still waiting whenever `transport` reconnects. */
  start(transport: Pick<Transport, 'onReconnected'>, intervalMs: number): void {
    this.#periodic.every('forget_placed_builds', intervalMs, async () => {
      await this.#accepted.forgetTaken();
    });
    this.#stopRecasting = transport.onReconnected(() => void this.castAgain());
  }

  async stop(): Promise<void> {
    this.#stopRecasting?.();
    await this.#periodic.stop();
  }

  /** Each build no conductor has placed goes to the conductors again, alone; how many. */
  castAgain(): Promise<number> {
    return this.#accepted.castAgain((_uuid, { build, spec }) => this.conductors.buildInstances([build], spec));
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
