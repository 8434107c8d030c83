/**
 * Nova's metadata API (nova-api-metadata, nova/api/metadata/handler.py) with
 * `service_metadata_proxy`: a guest's request reaches it through Neutron's metadata agent, which
 * names the instance in `X-Instance-ID` + `X-Tenant-ID` and signs the id with the shared secret.
 * Unsigned or wrongly signed requests are refused (400, 403); an instance that is gone, or whose
 * project is not the one named, is 404. Errors are webob's plain-text pages, as Nova answers them.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { addAccessLog } from '../../../common/http/access-log.js';
import { addRequestContext } from '../../../common/http/request-id.js';
import { getLogger } from '../../../common/logging/logger.js';
import { ERROR_PAGE_TYPE, errorPage, type ErrorStatus } from '../../../common/metadata/error-page.js';
import { isValidInstanceSignature } from '../../../common/metadata/instance-signature.js';
import { EC2_VERSIONS, lookupMetadata, type MetadataItem } from '../../metadata/instance-metadata.js';
import type { InstanceSpec } from '../../virt/instance-spec.js';

const LOG = getLogger('nimbus.compute.api.metadata');

/** What the metadata API reads of an instance (through compute's stores). */
export interface MetadataInstances {
  /** The instance, undefined when there is none (or it is deleted). */
  find(uuid: string): Promise<{ readonly instance: InstanceSpec; readonly reservationId: string } | undefined>;
}

export interface MetadataAppOptions {
  readonly instances: MetadataInstances;
  /** `[neutron] metadata_proxy_shared_secret`. */
  readonly sharedSecret: string;
}

/** webob.exc's plain-text error page. */
function sendError(reply: FastifyReply, status: ErrorStatus, explanation?: string): FastifyReply {
  return reply.code(status).type(ERROR_PAGE_TYPE).send(errorPage(status, explanation));
}

function sendItem(reply: FastifyReply, item: MetadataItem): FastifyReply {
  if (item.kind === 'json') return reply.type('application/json').send(item.body);
  const body = item.kind === 'listing' ? item.entries.join('\n') : item.body;
  return reply.type('text/plain; charset=UTF-8').send(body);
}

/** Every value a header was sent with: Node joins repeated headers into one, the raw list still tells them apart. */
function headerValues(request: FastifyRequest, name: string): string[] {
  const raw = request.raw.rawHeaders;
  const values: string[] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) if (raw[index]!.toLowerCase() === name) values.push(raw[index + 1]!);
  return values;
}

/** A path with a malformed escape names nothing: it is kept as sent, and so not found. */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

type Identified = { readonly instanceId: string; readonly tenantId: string; readonly address: string | null };

/** Nova's _handle_instance_id_request checks, in its order and words; a refusal is answered here. */
function identify(request: FastifyRequest, reply: FastifyReply, secret: string): Identified | undefined {
  const instanceIds = headerValues(request, 'x-instance-id');
  const tenantIds = headerValues(request, 'x-tenant-id');
  const problem =
    instanceIds.length === 0
      ? 'X-Instance-ID header is missing from request.'
      : tenantIds.length === 0
        ? 'X-Tenant-ID header is missing from request.'
        : instanceIds.length > 1
          ? 'Multiple X-Instance-ID headers found within request.'
          : tenantIds.length > 1
            ? 'Multiple X-Tenant-ID headers found within request.'
            : undefined;
  const [instanceId] = instanceIds;
  const [tenantId] = tenantIds;
  if (problem !== undefined || instanceId === undefined || tenantId === undefined) {
    void sendError(reply, 400, problem ?? '');
    return undefined;
  }
  const signatures = headerValues(request, 'x-instance-id-signature');
  const addresses = headerValues(request, 'x-forwarded-for');
  const from = addresses.length === 1 ? addresses[0]! : null;
  if (signatures.length !== 1 || !isValidInstanceSignature(secret, instanceId, signatures[0]!)) {
    LOG.warning(`X-Instance-ID-Signature does not match the expected value for id: ${instanceId}. Request From: ${from ?? request.ip}`);
    void sendError(reply, 403, 'Invalid proxy request signature.');
    return undefined;
  }
  return { instanceId, tenantId, address: from };
}

/** The metadata API as a Fastify app (listened on by the caller, tested with inject). */
export function buildMetadataApp(options: MetadataAppOptions): FastifyInstance {
  const app = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true } });
  addRequestContext(app);
  addAccessLog(app);

  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // The root is answered to anyone, as Nova does: the list of EC2 versions.
    if (/^\/*$/.test(path)) return sendItem(reply, { kind: 'listing', entries: [...EC2_VERSIONS, 'latest'] });
    const who = identify(request, reply, options.sharedSecret);
    if (who === undefined) return reply;
    const found = await options.instances.find(who.instanceId);
    if (found === undefined) {
      LOG.error(`Failed to get metadata for instance id: ${who.instanceId}`);
      return sendError(reply, 404);
    }
    if (found.instance.projectId !== who.tenantId) {
      LOG.warning(`Tenant_id ${who.tenantId} does not match tenant_id of instance ${who.instanceId}.`);
      return sendError(reply, 404);
    }
    const item = lookupMetadata(found.instance, { reservationId: found.reservationId, address: who.address }, decodedPath(path));
    return item === undefined ? sendError(reply, 404) : sendItem(reply, item);
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, 404));
  app.setErrorHandler((error, request, reply) => {
    LOG.error(`Failed to serve metadata at ${request.url}`, { error });
    return sendError(reply, 500, 'An unknown error has occurred. Please try your request again.');
  });
  return app;
}
