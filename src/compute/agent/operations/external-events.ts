/**
 * external_instance_event (Nova's ComputeManager.external_instance_event): each event from
 * os-server-external-events handled by its name through one table, so a new kind of event is one
 * entry. Events an operation waits for (network-vif-plugged …) are delivered to it first.
 */
import { messageOf } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import { currentContext, newAdminContext } from '../../../common/context/request-context.js';
import type { AgentHandlers, ExternalEventWire } from '../rpc-api.js';
import type { ComputeManagerDeps, OperationContext } from './operation-context.js';
import { extendAttachedVolume } from './volume-operations.js';

const LOG = getLogger('nimbus.compute.manager');

/** What an event does on this host beyond waking a waiter. */
export type ExternalEventHandler = (deps: ComputeManagerDeps, event: ExternalEventWire) => Promise<void>;

/** Nova's network-changed: the info cache read again from Neutron (addresses, floating IPs). */
const refreshNetworkInfo: ExternalEventHandler = async (deps, event) => {
  if (deps.network === undefined) return;
  const instance = await deps.conductor.instanceGet(event.instanceUuid);
  if (instance === null) return;
  const networkInfo = await deps.network.refresh(currentContext() ?? newAdminContext(), instance.networkInfo);
  await deps.conductor.instanceInfoCacheUpdate({ uuid: instance.uuid, networkInfo });
};

/** Nova's _process_instance_vif_deleted_event: the port leaves the info cache. */
const forgetDeletedVif: ExternalEventHandler = async (deps, event) => {
  const instance = await deps.conductor.instanceGet(event.instanceUuid);
  if (instance === null || !instance.networkInfo.some((vif) => vif.id === event.tag)) return;
  await deps.conductor.instanceInfoCacheUpdate({ uuid: instance.uuid, networkInfo: instance.networkInfo.filter((vif) => vif.id !== event.tag) });
};

/** Handled by waking whoever waits for it (nothing else to do here). */
const waitedFor: ExternalEventHandler = () => Promise.resolve();

/** Cinder's volume-extended: the tag names the volume whose attachment here grew. */
const volumeExtended: ExternalEventHandler = (deps, event) => (event.tag === null ? Promise.resolve() : extendAttachedVolume(deps, event.instanceUuid, event.tag));

/** Events this host acts on; one that is not listed is logged and dropped, as Nova does. */
export const EXTERNAL_EVENT_HANDLERS: Readonly<Record<string, ExternalEventHandler>> = {
  'network-vif-plugged': waitedFor,
  'network-vif-unplugged': waitedFor,
  'network-changed': refreshNetworkInfo,
  'network-vif-deleted': forgetDeletedVif,
  'volume-extended': volumeExtended,
  'volume-reimaged': waitedFor,
};

export function externalEventsOperation({ deps }: OperationContext): Pick<AgentHandlers, 'external_instance_event'> {
  return {
    external_instance_event: async ({ events }) => {
      for (const event of events) {
        LOG.info(`Received event ${event.name}-${event.tag ?? ''} (${event.status})`, { instance: event.instanceUuid });
        deps.events.pop(event.instanceUuid, { name: event.name, tag: event.tag, status: event.status });
        const handler = EXTERNAL_EVENT_HANDLERS[event.name];
        if (handler === undefined) {
          LOG.debug(`No handler for event ${event.name} on this host`, { instance: event.instanceUuid });
          continue;
        }
        try {
          await handler(deps, event);
        } catch (error) {
          LOG.error(`Failed to process event ${event.name}: ${messageOf(error)}`, { instance: event.instanceUuid });
        }
      }
    },
  };
}
