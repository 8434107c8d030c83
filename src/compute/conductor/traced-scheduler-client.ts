import type { Transport } from '../../common/bus/index.js';
import type { RequestSpec } from '../scheduler/request-spec.js';
import type { ClaimedSelection } from '../scheduler/rpc-api.js';
import { SchedulerClient } from '../scheduler/rpc-client.js';
import type { RequestTrace } from '../timeline/request-trace.js';

/**
 * The scheduler client as the conductor holds it: each select_destinations goes into the
 * request's trace with the hosts chosen or why none was (the timeline's scheduler step). The
 * scheduler runs beside the conductor on the node serving the compute API: its host is theirs.
 */
export class TracedSchedulerClient extends SchedulerClient {
  constructor(
    transport: Transport,
    timeoutSeconds: number,
    private readonly trace: RequestTrace,
    private readonly host: string,
  ) {
    super(transport, timeoutSeconds);
  }

  override async selectDestinations(spec: Readonly<RequestSpec>, options: { readonly migrationId?: string } = {}): Promise<ClaimedSelection[]> {
    const start = new Date();
    const step = { service: 'nova-scheduler', host: this.host, step: 'select_destinations', instanceUuid: spec.instanceUuids[0] ?? null } as const;
    try {
      const selections = await super.selectDestinations(spec, options);
      await this.trace.record({ ...step, start, finish: new Date(), ok: true, details: `chose ${selections.map((selection) => selection.destination.host).join(', ')}` });
      return selections;
    } catch (error) {
      await this.trace.record({ ...step, start, finish: new Date(), ok: false, details: (error as Error).message });
      throw error;
    }
  }
}
