/**
 * Nova's nova/volume/cinder.py over HTTP: the volume API (Cinder v3 at 3.44, the attachments flow)
 * under the token of the request being served, so visibility and policy are the caller's (with the
 * `[service_user]` token beside it as X-Service-Token); work no user asked for goes with the
 * `[service_user]` token. Faults come back as the volume service's
 * typed errors (a 400 stays a 400 for the compute API's caller).
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { NimbusError, StartupError } from '../../common/errors/errors.js';
import { fetchService, remoteFault } from '../../common/http/remote-fault.js';
import { requestAuthHeaders } from '../../identity/client/auth-headers.js';
import type { ServiceCredentials } from '../../identity/client/service-user-session.js';
import type { CinderAttachment, CinderSnapshot, CinderVolume, ComputeVolumeApi, HostConnector, NewVolume } from './volume-api.js';

/** The attachments flow with os-complete; Nova Zed asks for the same. */
const MICROVERSION = '3.44';
/** os-reimage, as Nova Zed's reimage_volume asks for it. */
const REIMAGE_MICROVERSION = '3.68';

export interface CinderClientOptions {
  /** The volume API's base up to `/v3` (`[cinder] endpoint_override`, or the node's own listener, known once it listens); absent: the service user's catalog. */
  readonly endpoint?: () => string;
  readonly serviceUser?: ServiceCredentials;
}

export class CinderClient implements ComputeVolumeApi {
  #endpoint: Promise<string> | undefined;

  constructor(private readonly options: CinderClientOptions) {
    if (options.endpoint === undefined && options.serviceUser === undefined) {
      throw new StartupError('Compute reaches volumes over the volume API: set [cinder] endpoint_override or [service_user] auth_url and credentials');
    }
  }

  async get(context: RequestContext, volumeId: string): Promise<CinderVolume> {
    return ((await this.#json(context, 'GET', `/volumes/${encodeURIComponent(volumeId)}`, undefined, `Reading volume ${volumeId}`)) as { volume: CinderVolume }).volume;
  }

  async getSnapshot(context: RequestContext, snapshotId: string): Promise<CinderSnapshot> {
    return ((await this.#json(context, 'GET', `/snapshots/${encodeURIComponent(snapshotId)}`, undefined, `Reading snapshot ${snapshotId}`)) as { snapshot: CinderSnapshot }).snapshot;
  }

  async attachmentCreate(context: RequestContext, volumeId: string, instanceUuid: string): Promise<CinderAttachment> {
    const body = { attachment: { volume_uuid: volumeId, instance_uuid: instanceUuid } };
    return ((await this.#json(context, 'POST', '/attachments', body, `Reserving volume ${volumeId}`)) as { attachment: CinderAttachment }).attachment;
  }

  async attachmentUpdate(context: RequestContext, attachmentId: string, connector: HostConnector): Promise<CinderAttachment> {
    const body = { attachment: { connector } };
    return ((await this.#json(context, 'PUT', `/attachments/${attachmentId}`, body, `Connecting attachment ${attachmentId}`)) as { attachment: CinderAttachment }).attachment;
  }

  async attachmentComplete(context: RequestContext, attachmentId: string): Promise<void> {
    await this.#json(context, 'POST', `/attachments/${attachmentId}/action`, { 'os-complete': null }, `Completing attachment ${attachmentId}`);
  }

  async attachmentDelete(context: RequestContext, attachmentId: string): Promise<void> {
    await this.#json(context, 'DELETE', `/attachments/${attachmentId}`, undefined, `Deleting attachment ${attachmentId}`).catch(ignoreNotFound);
  }

  async beginDetaching(context: RequestContext, volumeId: string): Promise<void> {
    await this.#json(context, 'POST', `/volumes/${encodeURIComponent(volumeId)}/action`, { 'os-begin_detaching': null }, `Detaching volume ${volumeId}`);
  }

  async rollDetaching(context: RequestContext, volumeId: string): Promise<void> {
    await this.#json(context, 'POST', `/volumes/${encodeURIComponent(volumeId)}/action`, { 'os-roll_detaching': null }, `Rolling back the detach of volume ${volumeId}`);
  }

  async create(context: RequestContext, volume: NewVolume): Promise<CinderVolume> {
    const body = {
      volume: {
        size: volume.size,
        name: volume.name,
        ...(volume.imageRef === undefined ? {} : { imageRef: volume.imageRef }),
        ...(volume.snapshotId === undefined ? {} : { snapshot_id: volume.snapshotId }),
        ...(volume.availabilityZone === undefined ? {} : { availability_zone: volume.availabilityZone }),
      },
    };
    return ((await this.#json(context, 'POST', '/volumes', body, 'Creating a volume')) as { volume: CinderVolume }).volume;
  }

  async createSnapshotForce(context: RequestContext, volumeId: string, name: string, description: string | null): Promise<CinderSnapshot> {
    const body = { snapshot: { volume_id: volumeId, force: true, name, description } };
    return ((await this.#json(context, 'POST', '/snapshots', body, `Snapshotting volume ${volumeId}`)) as { snapshot: CinderSnapshot }).snapshot;
  }

  async reimage(context: RequestContext, volumeId: string, imageId: string): Promise<void> {
    const body = { 'os-reimage': { image_id: imageId, reimage_reserved: true } };
    await this.#json(context, 'POST', `/volumes/${encodeURIComponent(volumeId)}/action`, body, `Reimaging volume ${volumeId}`, REIMAGE_MICROVERSION);
  }

  async delete(context: RequestContext, volumeId: string): Promise<void> {
    await this.#json(context, 'DELETE', `/volumes/${encodeURIComponent(volumeId)}`, undefined, `Deleting volume ${volumeId}`).catch(ignoreNotFound);
  }

  /** One call to `<endpoint>/<project>{path}`; an error response is thrown as the volume service's typed error. */
  async #json(context: RequestContext, method: string, path: string, body: unknown, what: string, microversion = MICROVERSION): Promise<unknown> {
    const [base, auth] = await Promise.all([this.#volumeEndpoint(), requestAuthHeaders(context, this.options.serviceUser, 'the volume API')]);
    const headers: Record<string, string> = {
      ...auth,
      'openstack-api-version': `volume ${microversion}`,
      // The volume service logs this caller's request id as its global id, so one grep follows the call.
      'x-openstack-request-id': context.globalRequestId ?? context.requestId,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    };
    const url = `${base}/${encodeURIComponent(context.projectId ?? '')}${path}`;
    const response = await fetchService(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }, what);
    if (response.status >= 400) throw await remoteFault(response, what);
    const text = await response.text();
    return text === '' ? {} : (JSON.parse(text) as unknown);
  }

  #volumeEndpoint(): Promise<string> {
    const { endpoint, serviceUser } = this.options;
    if (endpoint !== undefined || serviceUser === undefined) return Promise.resolve((endpoint?.() ?? '').replace(/\/+$/, ''));
    // The catalog's URL names the service user's project: the caller's goes in its place.
    this.#endpoint ??= serviceUser.endpoint('block-storage').then(
      (url) => url.replace(/\/+$/, '').replace(/\/[0-9a-f-]{32,36}$/i, ''),
      (error: unknown) => {
        this.#endpoint = undefined;
        throw error;
      },
    );
    return this.#endpoint;
  }
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof NimbusError && error.status === 404)) throw error;
}
