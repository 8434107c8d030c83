/**
 * The client side of faults.ts: another service's error response becomes the typed error that
 * service threw, so a fault recorded on an instance reads the same whether the call went over
 * HTTP or stayed in the process.
 */
import {
  BadRequest,
  Conflict,
  Forbidden,
  NimbusError,
  NotFound,
  NotImplemented,
  PayloadTooLarge,
  ServiceUnavailable,
  Unauthorized,
  UnsupportedMediaType,
} from '../errors/errors.js';
import { callInProcess } from './in-process-calls.js';

const ERRORS: Readonly<Record<number, (message: string) => NimbusError>> = {
  400: (message) => new BadRequest(message),
  401: (message) => new Unauthorized(message),
  403: (message) => new Forbidden(message),
  404: (message) => new NotFound(message),
  409: (message) => new Conflict(message),
  413: (message) => new PayloadTooLarge(message),
  415: (message) => new UnsupportedMediaType(message),
  501: (message) => new NotImplemented(message),
  503: (message) => new ServiceUnavailable(message),
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `message` of any service's fault body (glance's flat one, keystone's `error`, nova's one root key). */
function faultMessage(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  if (typeof body['message'] === 'string') return body['message'];
  const [nested] = Object.values(body);
  return isRecord(nested) && typeof nested['message'] === 'string' ? nested['message'] : undefined;
}

/** The typed error an error response stands for; `what` names the call when the body says nothing. */
export async function remoteFault(response: Response, what: string): Promise<NimbusError> {
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const message = faultMessage(body) ?? `${what} failed: HTTP ${response.status}`;
  return ERRORS[response.status]?.(message) ?? new NimbusError(response.status, message);
}

/**
 * fetch() for calls to another service: one this process serves answers in the process
 * (in-process-calls.ts); an unreachable one is a 503 that names the URL, not a bare TypeError.
 */
export async function fetchService(url: string, init: RequestInit, what: string): Promise<Response> {
  const local = await callInProcess(url, init);
  if (local !== undefined) return local;
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new ServiceUnavailable(`${what}: ${url} is unreachable (${cause})`);
  }
}
