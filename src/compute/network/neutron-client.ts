/**
 * NeutronApi over Neutron's REST API (v2.0), as Nova's neutronclient use: the request's token for
 * the caller's calls (with the service user's as X-Service-Token), the service user's for admin
 * ones; the endpoint from `[neutron] endpoint_override` or the service user's catalog. Error
 * answers come back as typed errors with Neutron's status and message.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { NimbusError, Unauthorized } from '../../common/errors/errors.js';
import { fetchService, remoteFault } from '../../common/http/remote-fault.js';
import { requestAuthHeaders, serviceAuthHeaders, type AuthHeaders } from '../../identity/client/auth-headers.js';
import type { ServiceCredentials } from '../../identity/client/service-user-session.js';
import type {
  NeutronApi,
  NeutronFloatingIp,
  NeutronNetwork,
  NeutronPort,
  NeutronQuery,
  NeutronSecurityGroup,
  NeutronSession,
  NeutronSubnet,
} from './neutron-api.js';

export interface NeutronClientOptions {
  /** `[neutron] endpoint_override`: the network API's base URL (empty: the catalog's). A function when known only after listen. */
  readonly endpointOverride: string | (() => string);
  /** The service user; absent: only calls with a user token work. */
  readonly serviceUser?: ServiceCredentials;
  /** `[neutron] default_floating_pool`. */
  readonly defaultFloatingPool: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

function queryString(query: NeutronQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const item of value as readonly string[]) params.append(key, item);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export class NeutronClient implements NeutronApi {
  #endpoint: Promise<string> | undefined;

  readonly defaultFloatingPool: string;

  constructor(private readonly options: NeutronClientOptions) {
    this.defaultFloatingPool = options.defaultFloatingPool;
  }

  forUser(context: RequestContext): NeutronSession {
    return this.#session(context, () => requestAuthHeaders(context, this.options.serviceUser, 'the network API'));
  }

  forService(context: RequestContext): NeutronSession {
    return this.#session(context, () => serviceAuthHeaders(this.options.serviceUser, 'the network API'));
  }

  #session(context: RequestContext, authHeaders: () => Promise<AuthHeaders>): NeutronSession {
    const call = async (method: Method, path: string, body?: unknown): Promise<unknown> => {
      const what = `${method} ${path.split('?')[0] ?? path} on the network API`;
      const [base, auth] = await Promise.all([this.#base(), authHeaders()]);
      const headers: Record<string, string> = {
        ...auth,
        accept: 'application/json',
        // Neutron logs this as the global request id, so one grep follows the call.
        'x-openstack-request-id': context.globalRequestId ?? context.requestId,
      };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetchService(`${base}/v2.0${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }, what);
      if (response.status >= 400) throw await remoteFault(response, what);
      if (response.status === 204) return null;
      return response.json();
    };
    const field = async <T>(method: Method, path: string, key: string, body?: unknown): Promise<T> => ((await call(method, path, body)) as Record<string, T>)[key] as T;
    const id = encodeURIComponent;
    const listPorts = (query: NeutronQuery) => field<NeutronPort[]>('GET', `/ports${queryString(query)}`, 'ports');
    const listSecurityGroups = (query: NeutronQuery) => field<NeutronSecurityGroup[]>('GET', `/security-groups${queryString(query)}`, 'security_groups');
    return {
      getNetwork: (networkId) => field<NeutronNetwork>('GET', `/networks/${id(networkId)}`, 'network'),
      listNetworks: (query) => field<NeutronNetwork[]>('GET', `/networks${queryString(query)}`, 'networks'),
      listSubnets: (query) => field<NeutronSubnet[]>('GET', `/subnets${queryString(query)}`, 'subnets'),
      getPort: (portId) => field<NeutronPort>('GET', `/ports/${id(portId)}`, 'port'),
      listPorts,
      createPort: (port) => field<NeutronPort>('POST', '/ports', 'port', { port }),
      updatePort: (portId, port) => field<NeutronPort>('PUT', `/ports/${id(portId)}`, 'port', { port }),
      deletePort: async (portId) => {
        try {
          await call('DELETE', `/ports/${id(portId)}`);
        } catch (error) {
          if (!(error instanceof NimbusError && error.status === 404)) throw error;
        }
      },
      listFloatingIps: (query) => field<NeutronFloatingIp[]>('GET', `/floatingips${queryString(query)}`, 'floatingips'),
      listSecurityGroups,
      deviceSecurityGroups: async (deviceIds) => {
        // Only the fields used here: Neutron then sends (and a list of 100 servers parses) a tenth of the bytes.
        const ports = await listPorts({ device_id: [...deviceIds], fields: ['device_id', 'security_groups'] });
        const groupIds = [...new Set(ports.flatMap((port) => port.security_groups))];
        return { ports, groups: groupIds.length === 0 ? [] : await listSecurityGroups({ id: groupIds, fields: ['id', 'name'] }) };
      },
      request: call,
    };
  }

  #base(): Promise<string> {
    const { endpointOverride, serviceUser } = this.options;
    const override = (typeof endpointOverride === 'function' ? endpointOverride() : endpointOverride).replace(/\/+$/, '');
    if (override !== '') return Promise.resolve(override);
    if (serviceUser === undefined) return Promise.reject(new Unauthorized('Set [neutron] endpoint_override or [service_user] to reach the network API'));
    // Found once: a failure (identity not up yet) is not cached, the next call asks again.
    this.#endpoint ??= serviceUser.endpoint('network').then(
      (url) => url.replace(/\/+$/, ''),
      (error: unknown) => {
        this.#endpoint = undefined;
        throw error;
      },
    );
    return this.#endpoint;
  }
}
