import type { FastifyReply, FastifyRequest } from 'fastify';
import { runWithContext } from '../context/request-context.js';
import { RemoteError } from '../bus/errors.js';
import * as errors from '../errors/errors.js';
import { getLogger } from '../logging/logger.js';
import type { FaultFormat } from './api-service.js';
import { faultBody, type Fault } from './faults.js';
import { requestContextOf } from './request-id.js';

const LOG = getLogger('nimbus.common.http');

/** What clients see for a bug; the details stay in the log under the request id. */
export const UNEXPECTED_ERROR_MESSAGE = 'An unexpected error prevented the server from fulfilling your request.';

/** The generic classes: Neutron names these by webob's class; a service's own subclass by its name. */
const GENERIC_ERRORS: ReadonlySet<unknown> = new Set(
  Object.values(errors).filter((value) => value === errors.NimbusError || value.prototype instanceof errors.NimbusError),
);

/** Fastify's own request errors, reworded as the OpenStack services word them. */
const FRAMEWORK_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'Malformed request body',
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request is too large.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Request body size did not match Content-Length',
};

interface Classified extends Fault {
  readonly headers: Readonly<Record<string, string>>;
  /** False for bugs: their message is hidden and their stack logged. */
  readonly expected: boolean;
}

interface FrameworkError extends Error {
  readonly code: string;
  readonly statusCode: number;
}

function isFrameworkClientError(error: unknown): error is FrameworkError {
  if (!(error instanceof Error) || !('code' in error) || !('statusCode' in error)) return false;
  const { code, statusCode } = error;
  return typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode < 500;
}

/** Sorts an error into what the client is told: typed errors and request errors as they are, the rest as 500. */
export function classifyError(error: unknown): Classified {
  if (error instanceof errors.NimbusError) {
    const type = GENERIC_ERRORS.has(error.constructor) ? undefined : error.name;
    return { status: error.status, message: error.message, headers: error.headers, type, expected: true };
  }
  // A typed error raised by a worker across the bus keeps its status and user-facing message
  // (a 501 too: a host that does not offer the operation says so in Nova's words; and a 503: the
  // conductor's database is down).
  if (error instanceof RemoteError && error.status !== undefined && (error.status < 500 || error.status === 501 || error.status === 503)) {
    const type = [...GENERIC_ERRORS].some((generic) => (generic as { name: string }).name === error.className)
      ? undefined
      : error.className;
    return { status: error.status, message: error.remoteMessage, headers: {}, type, expected: true };
  }
  if (isFrameworkClientError(error)) {
    const message = FRAMEWORK_MESSAGES[error.code] ?? error.message;
    return { status: error.statusCode, message, headers: {}, expected: true };
  }
  return { status: 500, message: UNEXPECTED_ERROR_MESSAGE, headers: {}, expected: false };
}

function logFault(request: FastifyRequest, error: unknown, fault: Classified): void {
  if (!fault.expected) {
    LOG.error(`Unexpected error serving ${request.method} ${request.url}`, { error });
  } else if (fault.status >= 500) {
    LOG.warning(`HTTP exception thrown: ${fault.message}`);
  } else {
    LOG.info(`HTTP exception thrown: ${fault.message}`);
  }
}

/**
 * The one place errors become responses: every error a service's routes, hooks, body parsing or
 * validation raise is answered here in the service's fault format.
 */
export function faultHandler(format: FaultFormat) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const fault = classifyError(error);
    // Requests rejected before any hook ran (bad URLs) are not inside their context yet.
    runWithContext(requestContextOf(request), () => logFault(request, error, fault));
    void reply.code(fault.status).headers(fault.headers).send(faultBody(format, fault));
  };
}
