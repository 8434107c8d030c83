/**
 * Nova's _check_instance_build_time (`[DEFAULT] instance_build_timeout`, 0: off), run by the
 * conductor every period for every host and for builds on none: a server in BUILD for longer than
 * the timeout goes to ERROR with a fault, whatever left it there — an API process that died before
 * casting the build, a cast lost with the broker, an agent that never started it.
 *
 * A build not on a host has its claims given back. One on a host keeps them with the host, as in
 * Nova: its agent may still be spawning the guest, which the server's delete cleans up there.
 * Every change is a compare-and-set on BUILD, so a build finishing meanwhile wins or loses whole.
 */
import { getLogger } from '../../common/logging/logger.js';
import { VmState } from '../state/vm-states.js';
import { releaseClaim } from './tasks/build-steps.js';
import type { TaskDeps } from './tasks/task.js';

const LOG = getLogger('nimbus.compute.conductor');

/** Nova's log line, and the fault users read in `server show`. */
export const BUILD_TIMED_OUT = 'Instance build timed out. Set to error state.';

/** Nova runs the check every periodic tick (60 s); a shorter timeout is checked as often as it is long. */
export const BUILD_TIMEOUT_POLL_MAX_MS = 60_000;

/** Sets every server in BUILD for longer than `timeoutSeconds` (0: none) to ERROR; how many. */
export async function failTimedOutBuilds(deps: TaskDeps, timeoutSeconds: number, now: Date = new Date()): Promise<number> {
  if (timeoutSeconds <= 0) return 0;
  const stuck = await deps.instances.buildingSince(new Date(now.getTime() - timeoutSeconds * 1000));
  let failed = 0;
  for (const { uuid, host } of stuck) {
    const changed = await deps.instances.update({
      uuid,
      expected: { vmState: [VmState.BUILDING] },
      changes: { vmState: VmState.ERROR, taskState: null },
    });
    if (!changed) continue;
    failed += 1;
    LOG.warning(BUILD_TIMED_OUT, { instance: uuid });
    await deps.instances.addFault({ uuid, code: 500, message: BUILD_TIMED_OUT, host: host ?? deps.host });
    if (host === null) await releaseClaim(deps, uuid);
  }
  return failed;
}
