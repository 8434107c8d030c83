/**
 * build_and_run_instance (Nova's _do_build_and_run_instance): claim the spawning task state, spawn,
 * and go ACTIVE — or hand the build back to the conductor for the next alternate host.
 */
import { messageOf } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import { TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import type { AgentBlockDevice, AgentInstance } from '../../conductor/rpc-api.js';
import type { ImageMeta } from '../../virt/instance-spec.js';
import { PowerState } from '../../virt/power-state.js';
import { guestSpec, knownImage } from '../guest-spec.js';
import { prepBlockDevices, unprepBlockDevices } from '../prep-block-devices.js';
import { BuildAborted, buildNetworks } from '../build-networks.js';
import { releaseNetwork } from '../release-network.js';
import type { NetworkInfo } from '../../network/network-info.js';
import type { AgentHandlers, BuildAndRunInstanceArgs } from '../rpc-api.js';
import type { ComputeManagerDeps, OperationContext } from './operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

const BUILD_EVENT = 'compute__do_build_and_run_instance';

export function buildOperation({ deps, runner }: OperationContext): Pick<AgentHandlers, 'build_and_run_instance'> {
  return {
    build_and_run_instance: (args) => runner.locks.run(args.instance.uuid, () => build(deps, args)),
  };
}

async function build(deps: ComputeManagerDeps, { instance, build, node, spec, alternates }: BuildAndRunInstanceArgs): Promise<void> {
  const { conductor, driver, host } = deps;
  const uuid = instance.uuid;
  const spawning = await conductor.instanceUpdate({
    uuid,
    expected: { vmState: [VmState.BUILDING], taskState: [TaskState.SCHEDULING], host },
    changes: { taskState: TaskState.SPAWNING },
  });
  if (!spawning) {
    // The same build delivered twice (its conductor died after the first cast, or cast it again after
    // the bus came back): the first one has it.
    const current = await conductor.instanceGet(uuid);
    if (current !== null && current.host === host) {
      LOG.info(`Instance is ${current.vmState}/${current.taskState ?? 'None'} here already; not building it again`, { instance: uuid });
      return;
    }
    // A late copy of a build that failed here and went to another host: its claims are that host's now.
    if (current !== null && current.host !== null) {
      LOG.info(`Instance is on ${current.host} now; not building it here`, { instance: uuid });
      return;
    }
    LOG.info('Instance is no longer waiting to be built here; giving its resources back', { instance: uuid });
    await conductor.releaseResources(uuid);
    return;
  }
  await conductor.actionEventStart({ uuid, event: BUILD_EVENT, host });
  const started = Date.now();
  let configDrive = instance.configDrive;
  let networkInfo: NetworkInfo = [];
  let devices: AgentBlockDevice[] = [];
  try {
    devices = await prepBlockDevices(deps, uuid, instance.availabilityZone);
    const image = await buildImage(deps, build.imageRef, devices);
    configDrive = configDriveRequired(deps, instance, image);
    networkInfo = await buildNetworks(deps, instance, build);
    // The volumes as prepared: the instance read before had none connected yet.
    const volumes = devices.length === 0 ? instance.volumes : ((await conductor.instanceGet(uuid))?.volumes ?? instance.volumes);
    await driver.spawn({ ...guestSpec({ ...instance, networkInfo, volumes }, image), configDrive }, { powerOn: true, adminPassword: build.adminPassword ?? null, reuseDisks: false });
  } catch (error) {
    LOG.error(`Failed to build instance on ${host}: ${messageOf(error)}`, { instance: uuid });
    await conductor.actionEventFinish({ uuid, event: BUILD_EVENT, host, result: 'Error', traceback: messageOf(error) });
    if (error instanceof BuildAborted) {
      await abortBuild(deps, uuid, error);
      return;
    }
    // Nova's _cleanup_allocated_networks before a reschedule: the next host makes its own ports (and connects the volumes itself).
    await releaseNetwork(deps, { ...instance, networkInfo });
    await unprepBlockDevices(deps, devices).catch((undo: unknown) => LOG.warning(`Could not release the volumes before a reschedule: ${messageOf(undo)}`, { instance: uuid }));
    const requeued = await conductor.instanceUpdate({
      uuid,
      expected: { vmState: [VmState.BUILDING], taskState: [TaskState.SPAWNING] },
      changes: { taskState: TaskState.SCHEDULING, host: null, node: null },
    });
    if (requeued) await conductor.reschedule({ build, spec, failedHost: host, alternates, fault: { code: 500, message: messageOf(error) } });
    else await conductor.releaseResources(uuid);
    return;
  }
  LOG.info(`Took ${((Date.now() - started) / 1000).toFixed(2)} seconds to spawn the instance on the hypervisor.`, { instance: uuid });
  const active = await conductor.instanceUpdate({
    uuid,
    expected: { vmState: [VmState.BUILDING], taskState: [TaskState.SPAWNING] },
    changes: {
      vmState: VmState.ACTIVE,
      taskState: null,
      powerState: PowerState.RUNNING,
      host,
      node,
      launchedAt: new Date().toISOString(),
      // Recorded, so the API shows it and every later rebuild or move of the guest keeps the drive.
      ...(configDrive && !instance.configDrive ? { configDrive: true as const } : {}),
    },
  });
  if (!active) {
    await conductor.actionEventFinish({ uuid, event: BUILD_EVENT, host, result: 'Error', traceback: 'Instance changed state while spawning' });
    // A delete in progress finishes the job through terminate_instance; a vanished row is ours to clean up.
    if ((await conductor.instanceGet(uuid)) === null) {
      await driver.destroy(guestSpec({ ...instance, networkInfo }), { destroyDisks: true });
      await releaseNetwork(deps, { ...instance, networkInfo });
      await conductor.releaseResources(uuid);
    }
    return;
  }
  await conductor.actionEventFinish({ uuid, event: BUILD_EVENT, host, result: 'Success' });
  // os-hypervisors shows the new guest now, not at the next audit.
  await deps.reportResources();
}

/** Nova's BuildAbortException path: ERROR with the fault, the claim given back, no reschedule. */
async function abortBuild(deps: ComputeManagerDeps, uuid: string, error: BuildAborted): Promise<void> {
  // The fault before the state, as Nova adds it: whoever sees ERROR finds the fault that explains it.
  await deps.conductor.instanceFaultCreate({ uuid, code: 500, message: error.message, host: deps.host });
  await deps.conductor.instanceUpdate({
    uuid,
    expected: { vmState: [VmState.BUILDING], taskState: [TaskState.SPAWNING] },
    changes: { vmState: VmState.ERROR, taskState: null },
  });
  await deps.conductor.releaseResources(uuid);
}

/** The image the guest boots: the server's, or for a volume-backed one the image its root volume was made from, if any. */
async function buildImage(deps: ComputeManagerDeps, imageRef: string, devices: readonly AgentBlockDevice[]): Promise<ImageMeta> {
  if (imageRef !== '') return deps.images.getImageMeta(imageRef);
  const rootImage = devices.find((device) => device.bootIndex === 0)?.imageId ?? null;
  return rootImage === null ? knownImage('') : deps.images.getImageMeta(rootImage);
}

/** Nova's configdrive.required_by: the server asked, the operator forces it, or the image demands it. */
function configDriveRequired(deps: ComputeManagerDeps, instance: AgentInstance, image: ImageMeta): boolean {
  return instance.configDrive || deps.forceConfigDrive === true || image.properties['img_config_drive'] === 'mandatory';
}
