/** ComputeTaskApi over the bus: what the compute API casts to the conductor. */
import { RpcClient, type Transport } from '../../common/bus/index.js';
import type { RequestSpec } from '../scheduler/request-spec.js';
import { toWireSpec } from '../scheduler-service/wire.js';
import type { BuildRequest, ComputeTaskApi, EvacuateRequest, LiveMigrateRequest, ResizeRequest } from './compute-task-api.js';
import { CONDUCTOR_API_VERSION, CONDUCTOR_TOPIC, type BuildInstancesArgs, type MigrateServerArgs, type UnshelveInstanceArgs } from './wire.js';

export class ComputeTaskRpcClient implements ComputeTaskApi {
  readonly #rpc: RpcClient;

  constructor(transport: Transport, timeoutSeconds: number) {
    this.#rpc = new RpcClient(transport, { topic: CONDUCTOR_TOPIC, version: CONDUCTOR_API_VERSION, timeoutSeconds });
  }

  buildInstances(builds: readonly BuildRequest[], spec: RequestSpec): Promise<void> {
    const args: BuildInstancesArgs = { builds, spec: toWireSpec(spec) };
    return this.#rpc.cast('build_instances', args);
  }

  unshelveInstance(instanceUuid: string, spec: RequestSpec): Promise<void> {
    const args: UnshelveInstanceArgs = { instanceUuid, spec: toWireSpec(spec) };
    return this.#rpc.cast('unshelve_instance', args);
  }

  resizeInstance(request: ResizeRequest): Promise<void> {
    const args: MigrateServerArgs = { ...request, spec: toWireSpec(request.spec) };
    return this.#rpc.cast('migrate_server', args);
  }

  async liveMigrateInstance(request: LiveMigrateRequest, { wait }: { readonly wait: boolean }): Promise<void> {
    if (wait) await this.#rpc.call('live_migrate_instance', { request, wait });
    else await this.#rpc.cast('live_migrate_instance', { request, wait });
  }

  evacuateInstance(request: EvacuateRequest): Promise<void> {
    return this.#rpc.cast('evacuate_instance', { request });
  }
}
