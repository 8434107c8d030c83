/**
 * Cinder's cinder/compute/nova.py, the part the volume service needs: telling Nova a volume that
 * is attached has grown (os-server-external-events `volume-extended`, 2.51) or that a reserved
 * root volume was reimaged (`volume-reimaged`, 2.93), with a service token, as Nova's events
 * policy is for admins. A refusal is logged by the caller, never undone: the volume has changed
 * either way.
 */
import { fetchService, remoteFault } from '../../common/http/remote-fault.js';
import { currentContext } from '../../common/context/request-context.js';

/** What the volume service tells compute. */
export interface ComputeNotifier {
  volumeExtended(instanceUuids: readonly string[], volumeId: string): Promise<void>;
  /** `failed` when the reimage failed, so the rebuild waiting for it stops at once. */
  volumeReimaged(instanceUuids: readonly string[], volumeId: string, status: 'completed' | 'failed'): Promise<void>;
}

export interface NovaClientOptions {
  /** The compute API's base (`…/compute`), known once the node listens. */
  readonly endpoint: () => string;
  /** A token with the admin role (the service user, or the all-in-one's bootstrap admin). */
  readonly credentials: { token(): Promise<string> };
}

export class NovaClient implements ComputeNotifier {
  constructor(private readonly options: NovaClientOptions) {}

  volumeExtended(instanceUuids: readonly string[], volumeId: string): Promise<void> {
    const events = instanceUuids.map((uuid) => ({ name: 'volume-extended', server_uuid: uuid, tag: volumeId }));
    return this.#send('2.51', events, `Notifying compute that volume ${volumeId} was extended`);
  }

  volumeReimaged(instanceUuids: readonly string[], volumeId: string, status: 'completed' | 'failed'): Promise<void> {
    const events = instanceUuids.map((uuid) => ({ name: 'volume-reimaged', server_uuid: uuid, tag: volumeId, status }));
    return this.#send('2.93', events, `Notifying compute that volume ${volumeId} was reimaged`);
  }

  async #send(version: string, events: readonly Record<string, string>[], what: string): Promise<void> {
    const context = currentContext();
    const response = await fetchService(
      `${this.options.endpoint().replace(/\/+$/, '')}/v2.1/os-server-external-events`,
      {
        method: 'POST',
        headers: {
          'x-auth-token': await this.options.credentials.token(),
          'content-type': 'application/json',
          'openstack-api-version': `compute ${version}`,
          ...(context === undefined ? {} : { 'x-openstack-request-id': context.globalRequestId ?? context.requestId }),
        },
        body: JSON.stringify({ events }),
      },
      what,
    );
    if (response.status >= 400) throw await remoteFault(response, what);
    await response.arrayBuffer();
  }
}
