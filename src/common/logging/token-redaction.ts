import { createHash } from 'node:crypto';

/**
 * A token as a log line or an error message may show it: a short hash, enough to match two lines
 * about the same token, useless to replay. Never the token or a piece of it.
 */
export function tokenFingerprint(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

/** Fernet tokens (version byte 0x80 and a timestamp: `gAAAAA…`, base64url, 100+ characters). */
const FERNET_TOKEN = /gAAAAA[A-Za-z0-9_-]{40,}={0,2}/g;

/** The text with every Fernet token in it replaced by its fingerprint: the logger's last line of defence. */
export function redactTokens(text: string): string {
  return text.includes('gAAAAA') ? text.replace(FERNET_TOKEN, tokenFingerprint) : text;
}
