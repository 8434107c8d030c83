/**
 * Cinder's cinder/compute/nova.py, the part the volume service needs: telling Nova a volume that
 * is attached has grown (os-server-external-events `volume-extended`, 2.51), with a service
 * token, as Nova's events policy is for admins. A refusal is logged by the caller, never undone:
 * the volume has grown either way, and the guest sees it at its next start.
 */
import { fetchService, remoteFault } from '../../common/http/remote-fault.js';
import { currentContext } from '../../common/context/request-context.js';

/** What the volume service tells compute. */
export interface ComputeNotifier {
  volumeExtended(instanceUuids: readonly string[], volumeId: string): Promise<void>;
}

export interface NovaClientOptions {
  /** The compute API's base (`…/compute`), known once the node listens. */
  readonly endpoint: () => string;
  /** A token with the admin role (the service user, or the all-in-one's bootstrap admin). */
  readonly credentials: { token(): Promise<string> };
}

export class NovaClient implements ComputeNotifier {
  constructor(private readonly options: NovaClientOptions) {}

  async volumeExtended(instanceUuids: readonly string[], volumeId: string): Promise<void> {
    const what = `Notifying compute that volume ${volumeId} was extended`;
    const context = currentContext();
    const response = await fetchService(
      `${this.options.endpoint().replace(/\/+$/, '')}/v2.1/os-server-external-events`,
      {
        method: 'POST',
        headers: {
          'x-auth-token': await this.options.credentials.token(),
          'content-type': 'application/json',
          'openstack-api-version': 'compute 2.51',
          ...(context === undefined ? {} : { 'x-openstack-request-id': context.globalRequestId ?? context.requestId }),
        },
        body: JSON.stringify({ events: instanceUuids.map((uuid) => ({ name: 'volume-extended', server_uuid: uuid, tag: volumeId })) }),
      },
      what,
    );
    if (response.status >= 400) throw await remoteFault(response, what);
    await response.arrayBuffer();
  }
}
