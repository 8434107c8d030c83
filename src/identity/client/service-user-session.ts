/**
 * keystoneauth's password plugin for a service: the agent's own token from `[service_user]`,
 * cached until shortly before it expires, and the service catalog it came with, where other
 * services' endpoints are found.
 */
import { NimbusError, ServiceUnavailable } from '../../common/errors/errors.js';
import { fetchService, remoteFault } from '../../common/http/remote-fault.js';
import { getLogger } from '../../common/logging/logger.js';

const LOG = getLogger('nimbus.identity.client');

/** A token is renewed this long before it expires, so a request never leaves with one about to lapse. */
const RENEW_BEFORE_MS = 5 * 60_000;

/** Keystone's interfaces in the order a service prefers them (Nova's valid_interfaces default). */
const INTERFACES = ['internal', 'public'] as const;

export interface ServiceUserCredentials {
  /** Keystone's base URL (`…/identity` or `…/identity/v3`). */
  readonly authUrl: string;
  readonly username: string;
  readonly password: string;
  readonly projectName: string;
  readonly userDomainName: string;
  readonly projectDomainName: string;
}

/** Where other services are and the service user's token: a ServiceUserSession, or one made on first use. */
export interface ServiceCredentials {
  token(): Promise<string>;
  endpoint(type: string): Promise<string>;
}

interface CatalogEndpoint {
  readonly interface: string;
  readonly url: string;
}

interface CatalogService {
  readonly type: string;
  readonly endpoints: readonly CatalogEndpoint[];
}

interface IssuedToken {
  readonly token: string;
  readonly expiresAt: number;
  readonly catalog: readonly CatalogService[];
}

interface TokenBody {
  readonly token?: { readonly expires_at?: string; readonly catalog?: readonly CatalogService[] };
}

export class ServiceUserSession implements ServiceCredentials {
  #issued: Promise<IssuedToken> | undefined;

  constructor(
    private readonly credentials: ServiceUserCredentials,
    private readonly now: () => number = Date.now,
  ) {}

  /** The service user's token, issued anew when none is cached or it is due to expire. */
  async token(): Promise<string> {
    return (await this.#current()).token;
  }

  /** The catalog URL of the service of `type`, internal interface first. */
  async endpoint(type: string): Promise<string> {
    const { catalog } = await this.#current();
    const endpoints = catalog.find((service) => service.type === type)?.endpoints ?? [];
    for (const wanted of INTERFACES) {
      const found = endpoints.find((endpoint) => endpoint.interface === wanted);
      if (found !== undefined) return found.url;
    }
    throw new ServiceUnavailable(`The service catalog of ${this.credentials.username}'s token lists no ${type} endpoint`);
  }

  async #current(): Promise<IssuedToken> {
    const cached = this.#issued;
    if (cached !== undefined) {
      const issued = await cached.catch(() => undefined);
      if (issued !== undefined && issued.expiresAt - RENEW_BEFORE_MS > this.now()) return issued;
      // One renewal for all callers waiting: the first to see the stale token replaces it.
      if (this.#issued !== cached) return this.#current();
    }
    const issuing = this.#issue();
    this.#issued = issuing;
    return issuing;
  }

  async #issue(): Promise<IssuedToken> {
    const { authUrl, username, password, projectName, userDomainName, projectDomainName } = this.credentials;
    const base = authUrl.replace(/\/+$/, '').replace(/\/v3$/, '');
    const what = `Authenticating service user ${username}`;
    const response = await fetchService(`${base}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: username, domain: { name: userDomainName }, password } } },
          scope: { project: { name: projectName, domain: { name: projectDomainName } } },
        },
      }),
    }, what);
    if (response.status !== 201) {
      const error = await remoteFault(response, what);
      throw new NimbusError(error.status, `${what} at ${base} failed: ${error.message}`);
    }
    const body = (await response.json()) as TokenBody;
    const token = response.headers.get('x-subject-token') ?? '';
    const expiresAt = Date.parse(body.token?.expires_at ?? '');
    LOG.info(`Service user ${username} has a token until ${body.token?.expires_at ?? '?'}`);
    return { token, expiresAt: Number.isNaN(expiresAt) ? this.now() : expiresAt, catalog: body.token?.catalog ?? [] };
  }
}
