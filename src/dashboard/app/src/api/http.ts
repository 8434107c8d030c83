/** An API's answer that was not a success, carrying the API's own message (Nova's quota text, say). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The message of an OpenStack fault body: Nova's `{"badRequest": {"message"}}`, Keystone's `{"error": {...}}`, Glance's text. */
export function faultMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null) {
      for (const value of Object.values(body) as unknown[]) {
        const message: unknown = typeof value === 'object' && value !== null && 'message' in value ? value.message : undefined;
        if (typeof message === 'string') return message;
        if (typeof value === 'string' && value !== '') return value;
      }
    }
  } catch {
    // Not JSON: Glance and proxies answer some errors in plain text or HTML.
  }
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain === '' ? `The request failed with status ${status}` : plain;
}

export interface RequestOptions {
  readonly method?: string;
  readonly token?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface ApiResponse<T> {
  readonly body: T;
  readonly headers: Headers;
}

/** One JSON call to an API; non-2xx answers throw an ApiError with the API's message. */
export async function callApi<T>(url: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token !== undefined) headers['x-auth-token'] = options.token;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new ApiError(response.status, faultMessage(response.status, text));
  return { body: (text === '' ? undefined : JSON.parse(text)) as T, headers: response.headers };
}
