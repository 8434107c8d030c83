import type { DialectName } from './engine.js';

/** URL schemes by engine. `<scheme>+<driver>` (oslo.db style, `mysql+pymysql://`) is accepted too. */
const SCHEMES: Readonly<Record<string, DialectName>> = {
  sqlite: 'sqlite',
  postgresql: 'postgres',
  postgres: 'postgres',
  mysql: 'mariadb',
  mariadb: 'mariadb',
};

/** The engine a database URL names, or undefined when the scheme is not one Nimbus knows. */
export function dialectOfUrl(url: string): DialectName | undefined {
  const scheme = /^([a-z][a-z0-9]*)(\+[a-z0-9_]+)?:\/\//i.exec(url)?.[1]?.toLowerCase();
  return scheme === undefined ? undefined : SCHEMES[scheme];
}

/** The URL with any `+driver` suffix of its scheme removed: `mysql+pymysql://h/db` → `mysql://h/db`. */
export function withoutDriverSuffix(url: string): string {
  return url.replace(/^([a-z][a-z0-9]*)\+[a-z0-9_]+:\/\//i, '$1://');
}

/** Where the password sits in the URL, or undefined when it has none. */
function passwordSpan(url: string): { start: number; end: number } | undefined {
  const authority = url.indexOf('://') + 3;
  // `sqlite:///path` has an empty authority: no user info at all.
  if (authority < 3 || url[authority] === '/') return undefined;
  const queryAt = url.indexOf('?', authority);
  // The last `@` before the query ends the user info, so an unencoded `@` or `/` in a password is covered.
  const at = url.lastIndexOf('@', queryAt < 0 ? url.length : queryAt);
  if (at < authority) return undefined;
  const colon = url.indexOf(':', authority);
  if (colon < 0 || colon > at) return undefined;
  return { start: colon + 1, end: at };
}

/** The URL with its password replaced by `***`, for logs and error messages. */
export function maskPassword(url: string): string {
  const span = passwordSpan(url);
  return span === undefined ? url : url.slice(0, span.start) + '***' + url.slice(span.end);
}

/** The text with the URL's password (raw or percent-decoded) replaced by `***`, for driver messages. */
export function redactPassword(text: string, url: string): string {
  const span = passwordSpan(url);
  // A very short password would match inside ordinary words; drivers do not echo those anyway.
  if (span === undefined || span.end - span.start < 4) return text;
  const raw = url.slice(span.start, span.end);
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // A malformed escape: only the raw form can appear.
  }
  return text.split(raw).join('***').split(decoded).join('***');
}
