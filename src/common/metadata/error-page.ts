/**
 * The plain-text error page webob.exc answers with, which both Nova's metadata API and Neutron's
 * metadata agent send the guest: `<status> <title>`, a blank line, the explanation.
 */
const TITLES = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' } as const;

export type ErrorStatus = keyof typeof TITLES;

/** webob's default explanations, for errors raised without one. */
const EXPLANATIONS: Readonly<Record<ErrorStatus, string>> = {
  400: 'The server could not comply with the request since it is either malformed or otherwise incorrect.',
  403: 'Access was denied to this resource.',
  404: 'The resource could not be found.',
  409: 'There was a conflict when trying to complete your request.',
  500: 'The server has either erred or is incapable of performing the requested operation.',
  502: 'Bad gateway.',
  503: 'The server is currently unavailable. Please try again at a later time.',
  504: 'The gateway has timed out.',
};

export const ERROR_PAGE_TYPE = 'text/plain; charset=UTF-8';

export function isErrorStatus(status: number): status is ErrorStatus {
  return Object.hasOwn(TITLES, status);
}

export function errorPage(status: ErrorStatus, explanation: string = EXPLANATIONS[status]): string {
  return `${status} ${TITLES[status]}\n\n${explanation}\n\n   `;
}
