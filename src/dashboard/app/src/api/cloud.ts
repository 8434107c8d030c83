import { ApiError, callApi, type RequestOptions } from './http.js';
import type { Session } from './session.js';

/** Microversions the dashboard speaks: Nova's 2.93 (Zed's maximum) and Cinder's 3.42 (extend an in-use volume). */
const MICROVERSIONS: Readonly<Record<string, string>> = { compute: 'compute 2.93', volumev3: 'volume 3.42' };

/**
 * Nova's last microversion with the hypervisors' usage figures and `os-hypervisors/statistics`:
 * 2.88 moved them to placement, which this cloud does not serve, so the hypervisor pages ask for
 * 2.87 (Nova keeps every old microversion) and everything else the dashboard's 2.93.
 */
export const HYPERVISOR_USAGE_MICROVERSION = 'compute 2.87';
/** Nova's last microversion that makes a key pair (2.92 only imports a public key). */
export const KEYPAIR_GENERATION_MICROVERSION = 'compute 2.91';

export interface CallOptions extends RequestOptions {
  /** The OpenStack-API-Version header for this call instead of the service's usual one. */
  readonly microversion?: string;
}

/** A service the token's catalog does not list: its pages say so instead of failing. */
export class AbsentApi extends Error {
  constructor(readonly serviceType: string) {
    super(`This cloud's catalog has no ${serviceType} API.`);
  }
}

export function endpointOf(session: Session, serviceType: string): string {
  const url = session.endpoints[serviceType];
  if (url === undefined) throw new AbsentApi(serviceType);
  return url;
}

/** Dispatched on `window` when an API no longer accepts the token (revoked or expired elsewhere). */
export const SESSION_REJECTED = 'nimbus-session-rejected';

/** A call to one catalog service with the session's token. */
export async function call<T>(session: Session, serviceType: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...options.headers };
  const microversion = options.microversion ?? MICROVERSIONS[serviceType];
  if (microversion !== undefined) headers['openstack-api-version'] = microversion;
  try {
    const { body } = await callApi<T>(`${endpointOf(session, serviceType)}${path}`, { ...options, token: session.token, headers });
    return body;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) dispatchEvent(new Event(SESSION_REJECTED));
    throw err;
  }
}

export interface Server {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly 'OS-EXT-STS:task_state'?: string | null;
  readonly 'OS-EXT-STS:power_state'?: number;
  readonly locked?: boolean;
  readonly created: string;
  readonly image: { readonly id?: string } | '';
  readonly flavor: { readonly original_name?: string; readonly vcpus?: number; readonly ram?: number };
  readonly addresses: Readonly<Record<string, readonly { readonly addr: string; readonly version: number; readonly 'OS-EXT-IPS:type'?: string }[]>>;
  readonly key_name?: string | null;
  readonly fault?: { readonly message: string };
  readonly tenant_id: string;
  /** Shown to admins: the compute host the server is on. */
  readonly 'OS-EXT-SRV-ATTR:host'?: string | null;
}

export interface Flavor {
  readonly id: string;
  readonly name: string;
  readonly vcpus: number;
  readonly ram: number;
  readonly disk: number;
  readonly 'os-flavor-access:is_public'?: boolean;
}

export interface Image {
  readonly id: string;
  readonly name: string | null;
  readonly status: string;
  readonly size?: number | null;
  readonly visibility: string;
  readonly disk_format?: string | null;
  readonly owner?: string;
}

export interface KeyPair {
  readonly name: string;
  readonly fingerprint: string;
  readonly type?: string;
}

export interface ServerPage {
  readonly servers: Server[];
  /** The marker of the next page, when Nova links one (the page was full). */
  readonly next?: string;
}

/**
 * One page of the project's servers, newest first, after `marker` (Nova's limit/marker paging);
 * `filters` adds Nova's list filters (an admin's `all_tenants`).
 */
export async function listServers(s: Session, limit: number, marker?: string, filters: Readonly<Record<string, string>> = {}): Promise<ServerPage> {
  const query = new URLSearchParams({ ...filters, limit: String(limit), ...(marker === undefined ? {} : { marker }) });
  const body = await call<{ servers: Server[]; servers_links?: { rel: string; href: string }[] }>(s, 'compute', `/servers/detail?${query}`);
  const nextLink = body.servers_links?.find((link) => link.rel === 'next');
  const next = nextLink === undefined ? undefined : (new URL(nextLink.href).searchParams.get('marker') ?? undefined);
  return { servers: body.servers, ...(next === undefined ? {} : { next }) };
}
export const getServer = async (s: Session, id: string) => (await call<{ server: Server }>(s, 'compute', `/servers/${id}`)).server;
/** Public flavors and the project's private ones; with `all` (admins) every flavor (`is_public=None`). */
export const listFlavors = async (s: Session, all = false) =>
  (await call<{ flavors: Flavor[] }>(s, 'compute', `/flavors/detail${all ? '?is_public=None' : ''}`)).flavors;
export const listImages = async (s: Session) => (await call<{ images: Image[] }>(s, 'image', '/v2/images')).images;
export const listKeyPairs = async (s: Session) =>
  (await call<{ keypairs: { keypair: KeyPair }[] }>(s, 'compute', '/os-keypairs')).keypairs.map((k) => k.keypair);

/** POST /servers/{id}/action with one action body (`{"pause": null}`). */
export async function serverAction(s: Session, id: string, body: Record<string, unknown>): Promise<unknown> {
  return call(s, 'compute', `/servers/${id}/action`, { method: 'POST', body });
}
