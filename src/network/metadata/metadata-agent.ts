/**
 * Neutron's metadata agent (neutron/agent/metadata/agent.py), beside the network agent on each
 * host: listens on a unix socket of the host for the metadata proxies in the `qdhcp-`/`qrouter-` namespaces (a unix socket is reachable from
 * any network namespace), finds the instance behind the request's source address
 * (X-Forwarded-For, on the network or router the proxy named; the network server answers over
 * the bus, so the agent holds no database credentials), signs its id with the shared
 * secret and forwards the request to Nova's metadata API. No such port: 404. Nova's answer comes
 * back as Neutron passes it: 200 with its body and type, the errors as the agent's own pages.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { newRequestId, runWithContext } from '../../common/context/request-context.js';
import { getLogger } from '../../common/logging/logger.js';
import { ERROR_PAGE_TYPE, errorPage, isErrorStatus, type ErrorStatus } from '../../common/metadata/error-page.js';
import { signInstanceId } from '../../common/metadata/instance-signature.js';
import type { InstanceOfPort, ProxySource } from './instance-ports.js';

const LOG = getLogger('nimbus.network.metadata.agent');

/** Request bodies are small (a posted password is 255 characters at most). */
const MAX_BODY_BYTES = 64 * 1024;
/** Nova's errors the agent passes on by status (webob's page, not Nova's body). */
const PASSED_ON = new Set([400, 404, 409, 502, 503, 504]);

export interface MetadataAgentOptions {
  /** `[DEFAULT] metadata_proxy_socket`. */
  readonly socketPath: string;
  /** Whose port holds the address (the network server's answer, over the bus on an agent host). */
  readonly findInstance: (address: string, source: ProxySource) => Promise<InstanceOfPort | undefined>;
  /** Nova's metadata API, `http://<nova_metadata_host>:<nova_metadata_port>`. */
  readonly novaMetadataUrl: () => string;
  /** `[neutron] metadata_proxy_shared_secret`. */
  readonly sharedSecret: string;
}

export interface MetadataAgent {
  close(): Promise<void>;
}

class AgentError extends Error {
  constructor(
    readonly status: ErrorStatus,
    message?: string,
  ) {
    super(message);
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sourceOf(request: IncomingMessage): ProxySource {
  const networkId = header(request, 'x-neutron-network-id');
  if (networkId !== undefined) return { networkId };
  const routerId = header(request, 'x-neutron-router-id');
  if (routerId !== undefined) return { routerId };
  // Neutron raises a TypeError here: the proxy is misconfigured, not the guest.
  throw new Error('Either one of X-Neutron-Network-ID or X-Neutron-Router-ID must be passed');
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new AgentError(400, 'Request body too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function sendPage(response: ServerResponse, status: ErrorStatus, explanation?: string): void {
  response.writeHead(status, { 'content-type': ERROR_PAGE_TYPE }).end(errorPage(status, explanation));
}

async function handle(options: MetadataAgentOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const address = header(request, 'x-forwarded-for');
  const source = sourceOf(request);
  const instance = address === undefined ? undefined : await options.findInstance(address, source);
  if (instance === undefined) {
    LOG.info(`No instance port holds ${address ?? '(no address)'} on ${'networkId' in source ? `network ${source.networkId}` : `router ${source.routerId}`}`);
    sendPage(response, 404);
    return;
  }
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await readBody(request);
  const nova = await fetch(`${options.novaMetadataUrl()}${request.url ?? '/'}`, {
    method: request.method ?? 'GET',
    headers: {
      'x-forwarded-for': address ?? '',
      'x-instance-id': instance.instanceId,
      'x-tenant-id': instance.projectId,
      'x-instance-id-signature': signInstanceId(options.sharedSecret, instance.instanceId),
      ...(header(request, 'content-type') === undefined ? {} : { 'content-type': header(request, 'content-type') }),
    },
    ...(body === undefined ? {} : { body }),
  });
  const content = Buffer.from(await nova.arrayBuffer());
  if (nova.status === 200) {
    response.writeHead(200, { 'content-type': nova.headers.get('content-type') ?? 'text/plain' }).end(content);
    return;
  }
  if (nova.status === 403) {
    LOG.warning('The remote metadata server responded with Forbidden. This response usually occurs when shared secrets do not match.');
    sendPage(response, 403);
    return;
  }
  if (nova.status === 500) {
    LOG.warning('Remote metadata server experienced an internal server error.');
    sendPage(response, 500, 'Remote metadata server experienced an internal server error.');
    return;
  }
  if (PASSED_ON.has(nova.status) && isErrorStatus(nova.status)) {
    sendPage(response, nova.status);
    return;
  }
  throw new Error(`Unexpected response code: ${nova.status}`);
}

/** Listens on the socket (a stale one from an earlier run is replaced). */
export async function startMetadataAgent(options: MetadataAgentOptions): Promise<MetadataAgent> {
  await mkdir(dirname(options.socketPath), { recursive: true });
  await rm(options.socketPath, { force: true });
  const server: Server = createServer((request, response) => {
    runWithContext({ requestId: newRequestId() }, () => {
      handle(options, request, response).catch((error: unknown) => {
        if (error instanceof AgentError) return sendPage(response, error.status, error.message);
        LOG.error('Unexpected error.', { error });
        sendPage(response, 500, 'An unknown error has occurred. Please try your request again.');
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Only the host's root (the agent's own user, which runs the proxies) may talk to it.
  await chmod(options.socketPath, 0o600);
  LOG.info(`Metadata agent listening on ${options.socketPath}`);
  return {
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(options.socketPath, { force: true });
    },
  };
}
