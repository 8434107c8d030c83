/**
 * Nova's nova/image/glance.py for agents in a process of their own: images through the image
 * API (Glance v2) over HTTP, under the token of the request being served, so visibility and
 * policy are the caller's (with the service user's beside it as X-Service-Token). Work no user asked for (start-up recovery, periodic tasks) goes with
 * the service user's token. Faults come back as the image service's own typed errors.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { RequestContext } from '../../common/context/request-context.js';
import { Conflict, StartupError } from '../../common/errors/errors.js';
import { fetchService, remoteFault } from '../../common/http/remote-fault.js';
import { BASE_ATTRIBUTES, MAX_LIMIT, type ImageRef, type PatchChange } from '../../image/index.js';
import { requestAuthHeaders } from '../../identity/client/auth-headers.js';
import type { ServiceCredentials } from '../../identity/client/service-user-session.js';
import type { ComputeImageSource } from './image-access.js';

const JSON_PATCH = 'application/openstack-images-v2.1-json-patch';

/** Attributes Glance prints that are links, not the image's. */
const LINKS = new Set(['self', 'file', 'schema']);

export interface GlanceImageSourceOptions {
  /** `[glance] endpoint_override`: the image API's base URL; empty: the service user's catalog. */
  readonly endpointOverride: string;
  /** `[service_user]`; absent when none is configured (then only requests with a user token work). */
  readonly serviceUser?: ServiceCredentials;
}

/** `/a~b/c` in a JSON pointer is `/a~0b~1c`. */
function pointer(path: readonly string[]): string {
  return path.map((part) => `/${part.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** renderImage() read back: Glance's top-level extra properties go back into `properties`. */
function imageFromGlance(body: Record<string, unknown>): ImageRef {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!BASE_ATTRIBUTES.has(key) && !LINKS.has(key) && typeof value === 'string') properties[key] = value;
  }
  const attributes = Object.fromEntries([...BASE_ATTRIBUTES].map((name) => [name, body[name] ?? null]));
  const stores = typeof body['stores'] === 'string' ? body['stores'].split(',') : [];
  return { ...(attributes as unknown as ImageRef), tags: Array.isArray(body['tags']) ? (body['tags'] as string[]) : [], stores, properties };
}

export class GlanceImageSource implements ComputeImageSource {
  #endpoint: Promise<string> | undefined;

  constructor(private readonly options: GlanceImageSourceOptions) {
    if (options.endpointOverride === '' && options.serviceUser === undefined) {
      throw new StartupError('Compute agents reach the image API over HTTP: set [glance] endpoint_override or [service_user] auth_url and credentials');
    }
  }

  async getImageForCompute(context: RequestContext, id: string): Promise<ImageRef> {
    const response = await this.#request(context, 'GET', id, '', {}, `Reading image ${id}`);
    return imageFromGlance((await response.json()) as Record<string, unknown>);
  }

  async openImageData(context: RequestContext, id: string): Promise<Readable> {
    const response = await this.#request(context, 'GET', id, '/file', {}, `Downloading image ${id}`);
    // The image API answers 204 for an image without data; in the process that is this Conflict.
    if (response.status === 204 || response.body === null) throw new Conflict(`Image ${id} has no data`);
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }

  async update(context: RequestContext, id: string, changes: readonly PatchChange[]): Promise<ImageRef> {
    const body = changes.map(({ op, path, value }) => (op === 'remove' ? { op, path: pointer(path) } : { op, path: pointer(path), value }));
    const response = await this.#request(
      context,
      'PATCH',
      id,
      '',
      { headers: { 'content-type': JSON_PATCH }, body: JSON.stringify(body) },
      `Updating image ${id}`,
    );
    return imageFromGlance((await response.json()) as Record<string, unknown>);
  }

  async uploadImageData(context: RequestContext, id: string, data: Readable): Promise<ImageRef> {
    const upload: RequestInit = { headers: { 'content-type': 'application/octet-stream' }, body: Readable.toWeb(data) as ReadableStream, duplex: 'half' };
    const response = await this.#request(context, 'PUT', id, '/file', upload, `Uploading data of image ${id}`).catch((error: unknown) => {
      data.destroy();
      throw error;
    });
    await response.arrayBuffer();
    return this.getImageForCompute(context, id);
  }

  async listForCompute(context: RequestContext, properties: Readonly<Record<string, string>>): Promise<ImageRef[]> {
    const query = new URLSearchParams({ ...properties, sort_key: 'created_at', sort_dir: 'desc', limit: String(MAX_LIMIT) });
    const response = await this.#request(context, 'GET', '', `?${query.toString()}`, {}, 'Listing images');
    const { images } = (await response.json()) as { images: Record<string, unknown>[] };
    return images.map(imageFromGlance);
  }

  async delete(context: RequestContext, id: string): Promise<void> {
    const response = await this.#request(context, 'DELETE', id, '', {}, `Deleting image ${id}`);
    await response.arrayBuffer();
  }

  /** One call to /v2/images/{id}{suffix} (the collection for an empty id); an error response is thrown as the image service's typed error. */
  async #request(context: RequestContext, method: string, id: string, suffix: string, init: RequestInit, what: string): Promise<Response> {
    const [base, auth] = await Promise.all([this.#imageEndpoint(), requestAuthHeaders(context, this.options.serviceUser, 'the image API')]);
    const headers: Record<string, string> = {
      ...(init.headers as Record<string, string> | undefined),
      ...auth,
      // The image service logs this caller's request id as its global id, so one grep follows the call.
      'x-openstack-request-id': context.globalRequestId ?? context.requestId,
    };
    const response = await fetchService(`${base}/v2/images${id === '' ? '' : `/${encodeURIComponent(id)}`}${suffix}`, { ...init, method, headers }, what);
    if (response.status >= 400) throw await remoteFault(response, what);
    return response;
  }

  #imageEndpoint(): Promise<string> {
    const override = this.options.endpointOverride.replace(/\/+$/, '');
    const { serviceUser } = this.options;
    // The constructor saw to it that one of the two is there.
    if (override !== '' || serviceUser === undefined) return Promise.resolve(override);
    // Found once: a failure (identity not up yet) is not cached, the next call asks again.
    this.#endpoint ??= serviceUser.endpoint('image').then(
      (url) => url.replace(/\/+$/, ''),
      (error: unknown) => {
        this.#endpoint = undefined;
        throw error;
      },
    );
    return this.#endpoint;
  }
}
