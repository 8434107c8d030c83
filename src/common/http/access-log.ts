import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { runWithContext } from '../context/request-context.js';
import { getLogger } from '../logging/logger.js';
import { negotiatedMicroversion } from './microversion-negotiation.js';
import { requestContextOf } from './request-id.js';

const LOG = getLogger('nimbus.common.http');

/**
 * Nova's wsgi access line:
 * `127.0.0.1 "GET /compute/v2.1/servers HTTP/1.1" status: 200 len: 123 microversion: 2.1 time: 0.0012000`
 * (the microversion only on services that negotiate one).
 */
export function accessLogLine(request: FastifyRequest, reply: FastifyReply): string {
  const length = reply.getHeader('content-length') ?? 0;
  const version = negotiatedMicroversion(request);
  const microversion = version ? ` microversion: ${version.toString()}` : '';
  const seconds = (reply.elapsedTime / 1000).toFixed(7);
  return (
    `${request.ip} "${request.method} ${request.url} HTTP/${request.raw.httpVersion}" ` +
    `status: ${reply.statusCode} len: ${String(length)}${microversion} time: ${seconds}`
  );
}

/** One INFO line per request once it is answered, under the request's id. */
export function addAccessLog(app: FastifyInstance): void {
  // onResponse runs from the socket's 'finish' event, outside the request's async context.
  app.addHook('onResponse', (request, reply, done) => {
    runWithContext(requestContextOf(request), () => LOG.info(accessLogLine(request, reply)));
    done();
  });
}
