import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest, NotAcceptable } from '../errors/errors.js';
import { Microversion } from './microversion.js';

/** How a service negotiates microversions (Nova: compute 2.1–2.x, Cinder: volume 3.0–3.x). */
export interface MicroversionConfig {
  /** The service type clients name in `OpenStack-API-Version: <type> X.Y`: compute, volume. */
  readonly serviceType: string;
  /** The older header carrying a bare version, e.g. `X-OpenStack-Nova-API-Version`. */
  readonly legacyHeader?: string;
  /** Served when the client asks for nothing. */
  readonly min: string;
  /** Served for `latest`; advertise the highest version really implemented. */
  readonly max: string;
}

const VERSION_HEADER = 'openstack-api-version';
const kMicroversion = Symbol('nimbus.microversion');

declare module 'fastify' {
  interface FastifyRequest {
    /** The negotiated microversion; reading it on a service without microversions is a bug and throws. */
    readonly microversion: Microversion;
    [kMicroversion]: Microversion | null;
  }
}

/** The version named for `serviceType` in an `OpenStack-API-Version` value (`compute 2.50, volume 3.2`). */
function requestedByServiceType(header: string, serviceType: string): string | undefined {
  for (const entry of header.split(',')) {
    const [type, version, ...rest] = entry.trim().split(/\s+/);
    if (type?.toLowerCase() !== serviceType) continue;
    if (version === undefined || rest.length > 0) {
      throw new BadRequest(`Invalid OpenStack-API-Version header value: '${entry.trim()}'.`);
    }
    return version;
  }
  return undefined;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The version a request asks for: the standard header wins over the legacy one; none → min,
 * `latest` → max; a malformed version is a 400 and one outside [min, max] a 406, as in Nova.
 */
export function negotiateMicroversion(headers: IncomingHttpHeaders, config: MicroversionConfig): Microversion {
  const standard = headerText(headers[VERSION_HEADER]);
  const legacy = config.legacyHeader ? headerText(headers[config.legacyHeader.toLowerCase()]) : undefined;
  const requested =
    (standard === undefined ? undefined : requestedByServiceType(standard, config.serviceType.toLowerCase())) ??
    legacy?.trim();
  const { min, max } = microversionBounds(config);
  if (requested === undefined) return min;
  if (requested.toLowerCase() === 'latest') return max;
  const version = Microversion.parse(requested);
  if (!version) {
    throw new BadRequest(
      `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`,
    );
  }
  if (!version.isWithin(min, max)) {
    throw new NotAcceptable(
      `Version ${version.toString()} is not supported by the API. ` +
        `Minimum is ${min.toString()} and maximum is ${max.toString()}.`,
    );
  }
  return version;
}

/** The configured range, checked: a malformed or empty one is a programming error. */
export function microversionBounds(config: MicroversionConfig): { min: Microversion; max: Microversion } {
  const min = Microversion.of(config.min);
  const max = Microversion.of(config.max);
  if (min.compare(max) > 0) {
    throw new Error(`Microversion range ${config.min}-${config.max} of ${config.serviceType} is empty`);
  }
  return { min, max };
}

/** The headers that tell the client which version it got, and caches that the answer depends on it. */
export function microversionResponseHeaders(config: MicroversionConfig, version: Microversion): Record<string, string> {
  const headers: Record<string, string> = {
    'openstack-api-version': `${config.serviceType} ${version.toString()}`,
    vary: config.legacyHeader ? `OpenStack-API-Version, ${config.legacyHeader}` : 'OpenStack-API-Version',
  };
  if (config.legacyHeader) headers[config.legacyHeader.toLowerCase()] = version.toString();
  return headers;
}

/** The version negotiated for `request`, or undefined where the service has none (access log). */
export function negotiatedMicroversion(request: FastifyRequest): Microversion | undefined {
  return request[kMicroversion] ?? undefined;
}

/** Declares `request.microversion` once, on the root instance. */
export function decorateMicroversion(app: FastifyInstance): void {
  app.decorateRequest(kMicroversion, null);
  app.decorateRequest('microversion', {
    getter(this: FastifyRequest): Microversion {
      const version = this[kMicroversion];
      if (!version) throw new Error(`No microversion is negotiated for ${this.method} ${this.url}`);
      return version;
    },
  });
}

/** Negotiates on every request of a service scope (its 404s included) and echoes the result. */
export function addMicroversionNegotiation(scope: FastifyInstance, config: MicroversionConfig): void {
  scope.addHook('onRequest', async (request, reply) => {
    const version = negotiateMicroversion(request.headers, config);
    request[kMicroversion] = version;
    void reply.headers(microversionResponseHeaders(config, version));
  });
}
