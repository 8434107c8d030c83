/**
 * Typed errors carrying an HTTP status and a user-facing message. They are thrown anywhere in a
 * service and mapped to the service's OpenStack fault body once, in the HTTP error handler.
 */
export class NimbusError extends Error {
  /** HTTP status the API returns for this error. */
  readonly status: number;
  /** Extra response headers (e.g. `Allow` for 405). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, message: string, options: { cause?: unknown; headers?: Record<string, string> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.headers = options.headers ?? {};
    this.name = new.target.name;
  }
}

export class BadRequest extends NimbusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(400, message, options);
  }
}

export class Unauthorized extends NimbusError {
  constructor(message = 'The request you have made requires authentication.', options: { headers?: Record<string, string> } = {}) {
    super(401, message, options);
  }
}

export class Forbidden extends NimbusError {
  constructor(message = 'You are not authorized to perform the requested action.') {
    super(403, message);
  }
}

export class NotFound extends NimbusError {
  constructor(message = 'The resource could not be found.') {
    super(404, message);
  }
}

export class MethodNotAllowed extends NimbusError {
  constructor(method: string, allowed: readonly string[]) {
    super(405, `The method ${method} is not allowed for this resource.`, { headers: { allow: allowed.join(', ') } });
  }
}

export class NotAcceptable extends NimbusError {
  constructor(message: string) {
    super(406, message);
  }
}

export class Conflict extends NimbusError {
  constructor(message: string) {
    super(409, message);
  }
}

export class PayloadTooLarge extends NimbusError {
  constructor(message = 'Request is too large.') {
    super(413, message);
  }
}

export class UnsupportedMediaType extends NimbusError {
  constructor(message: string) {
    super(415, message);
  }
}

export class NotImplemented extends NimbusError {
  constructor(message = 'This operation is not implemented.') {
    super(501, message);
  }
}

export class ServiceUnavailable extends NimbusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(503, message, options);
  }
}

/** A start-up problem (bad config, unreachable DB or broker): the CLI prints one line and exits non-zero. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** The message of an error of unknown type (a thrown value need not be an Error), for logs and faults. */
/** What `load` returns, or undefined where it finds nothing (a NotFound); any other error passes. */
export async function unlessNotFound<T>(load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof NotFound) return undefined;
    throw error;
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
