/**
 * What a token carries, and its compact binary form (Keystone packs the same facts with msgpack).
 * Every byte counts: the Fernet envelope adds 57 bytes and rounds the payload up to 16, and the
 * whole is base64url, so a payload of at most 63 bytes gives a 162-character token.
 *
 * Layout, version 1:
 *   version (1) ‖ methods bitmask (1) ‖ flags (1: scope kind in bits 0-1, parent audit id in bit 2,
 *   application credential id in bit 3, its encoding in bits 4-5, trust id in bit 6, stored as
 *   text rather than 32 hex digits in bit 7)
 *   ‖ id encodings (1: two bits each for user, scope, audit, parent audit)
 *   ‖ user id ‖ scope id? ‖ issued at (ms since epoch, 6 bytes) ‖ lifetime (ms, LEB128)
 *   ‖ audit id ‖ parent audit id? ‖ application credential id? ‖ trust id?
 * Ids that are 32 hex digits, dashed UUIDs or 22-character base64url (audit ids) take 16 bytes;
 * any other string (the Default domain's `default`) a length byte and its UTF-8.
 */

export const AUTH_METHODS = ['password', 'token', 'totp', 'application_credential', 'mapped', 'external'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export type TokenScope =
  | { readonly kind: 'project'; readonly projectId: string }
  | { readonly kind: 'domain'; readonly domainId: string }
  /** Keystone's `system: {all: true}`: the deployment itself. */
  | { readonly kind: 'system' }
  | { readonly kind: 'unscoped' };

export interface TokenPayload {
  readonly userId: string;
  /** How the user authenticated, in AUTH_METHODS order (a rescoped token adds `token`). */
  readonly methods: readonly AuthMethod[];
  readonly scope: TokenScope;
  /** Millisecond precision, as encoded. */
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** This token's audit id, then the audit id of the token it was rescoped from (the chain's first). */
  readonly auditIds: readonly [string] | readonly [string, string];
  /** The application credential the token was issued for (method `application_credential`). */
  readonly applicationCredentialId?: string;
  /** The trust the token is scoped to (its scope is then the trust's project, its user the trustee). */
  readonly trustId?: string;
}

/** The bytes decrypted fine but are not a payload this version understands. */
export class InvalidTokenPayload extends Error {
  constructor(reason: string) {
    super(`Invalid token payload: ${reason}`);
    this.name = 'InvalidTokenPayload';
  }
}

const VERSION = 1;
const SCOPE_KINDS = ['unscoped', 'project', 'domain', 'system'] as const;
const HAS_PARENT = 0b100;
const HAS_APP_CRED = 0b1000;
const APP_CRED_ENCODING_SHIFT = 4;
const HAS_TRUST = 0b100_0000;
const TRUST_AS_TEXT = 0b1000_0000;
const MAX_TIMESTAMP_MS = 2 ** 48 - 1;

/** How one id is stored, chosen per id. */
const enum IdEncoding {
  Hex = 0,
  Uuid = 1,
  Base64url = 2,
  Text = 3,
}

const HEX32 = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL22 = /^[A-Za-z0-9_-]{21}[AQgw]$/;

export function encodeTokenPayload(payload: TokenPayload): Buffer {
  const scopeId =
    payload.scope.kind === 'project' ? payload.scope.projectId : payload.scope.kind === 'domain' ? payload.scope.domainId : undefined;
  const [auditId, parentAuditId] = payload.auditIds;
  const appCredId = payload.applicationCredentialId;
  const appCredEncoding = appCredId === undefined ? IdEncoding.Hex : idEncoding(appCredId);
  const { trustId } = payload;
  const trustEncoding = trustId === undefined || HEX32.test(trustId) ? IdEncoding.Hex : IdEncoding.Text;
  // Slots 0-3: user, scope, audit, parent audit; an absent id keeps its slot at 0.
  const slots = [payload.userId, scopeId, auditId, parentAuditId];
  const encodings = slots.map((id) => (id === undefined ? IdEncoding.Hex : idEncoding(id)));

  const issuedMs = payload.issuedAt.getTime();
  const lifetimeMs = payload.expiresAt.getTime() - issuedMs;
  if (!Number.isInteger(issuedMs) || issuedMs < 0 || issuedMs > MAX_TIMESTAMP_MS) throw new RangeError('issuedAt out of range');
  if (!Number.isInteger(lifetimeMs) || lifetimeMs < 0) throw new RangeError('expiresAt is before issuedAt');
  const issued = Buffer.alloc(6);
  issued.writeUIntBE(issuedMs, 0, 6);

  const header = Buffer.from([
    VERSION,
    methodMask(payload.methods),
    SCOPE_KINDS.indexOf(payload.scope.kind) |
      (parentAuditId === undefined ? 0 : HAS_PARENT) |
      (appCredId === undefined ? 0 : HAS_APP_CRED | (appCredEncoding << APP_CRED_ENCODING_SHIFT)) |
      (trustId === undefined ? 0 : HAS_TRUST | (trustEncoding === IdEncoding.Text ? TRUST_AS_TEXT : 0)),
    encodings.reduce((packed, encoding, slot) => packed | (encoding << (slot * 2)), 0),
  ]);
  const idBytes = (slot: number): Buffer[] => {
    const id = slots[slot];
    return id === undefined ? [] : [encodeId(id, encodings[slot] ?? IdEncoding.Text)];
  };
  const appCredBytes = appCredId === undefined ? [] : [encodeId(appCredId, appCredEncoding)];
  const trustBytes = trustId === undefined ? [] : [encodeId(trustId, trustEncoding)];
  return Buffer.concat([
    header,
    ...idBytes(0),
    ...idBytes(1),
    issued,
    encodeVarint(lifetimeMs),
    ...idBytes(2),
    ...idBytes(3),
    ...appCredBytes,
    ...trustBytes,
  ]);
}

export function decodeTokenPayload(bytes: Buffer): TokenPayload {
  const reader = new Reader(bytes);
  if (reader.byte() !== VERSION) throw new InvalidTokenPayload('unknown version');
  const methods = methodsOf(reader.byte());
  const flags = reader.byte();
  const scopeKind = SCOPE_KINDS[flags & 0b11];
  if (scopeKind === undefined) throw new InvalidTokenPayload('bad flags');
  if ((flags & HAS_APP_CRED) === 0 && ((flags >> APP_CRED_ENCODING_SHIFT) & 0b11) !== 0) throw new InvalidTokenPayload('bad flags');
  if ((flags & HAS_TRUST) === 0 && (flags & TRUST_AS_TEXT) !== 0) throw new InvalidTokenPayload('bad flags');
  const packed = reader.byte();
  const encodingAt = (slot: number): IdEncoding => (packed >> (slot * 2)) & 0b11;

  const userId = reader.id(encodingAt(0));
  const scope: TokenScope =
    scopeKind === 'project'
      ? { kind: 'project', projectId: reader.id(encodingAt(1)) }
      : scopeKind === 'domain'
        ? { kind: 'domain', domainId: reader.id(encodingAt(1)) }
        : scopeKind === 'system'
          ? { kind: 'system' }
          : { kind: 'unscoped' };
  const issuedMs = reader.uint48();
  const lifetimeMs = reader.varint();
  const auditId = reader.id(encodingAt(2));
  const auditIds: TokenPayload['auditIds'] = (flags & HAS_PARENT) !== 0 ? [auditId, reader.id(encodingAt(3))] : [auditId];
  const appCredId = (flags & HAS_APP_CRED) !== 0 ? reader.id((flags >> APP_CRED_ENCODING_SHIFT) & 0b11) : undefined;
  const trustId = (flags & HAS_TRUST) !== 0 ? reader.id((flags & TRUST_AS_TEXT) !== 0 ? IdEncoding.Text : IdEncoding.Hex) : undefined;
  reader.end();
  return {
    userId,
    methods,
    scope,
    issuedAt: new Date(issuedMs),
    expiresAt: new Date(issuedMs + lifetimeMs),
    auditIds,
    ...(appCredId === undefined ? {} : { applicationCredentialId: appCredId }),
    ...(trustId === undefined ? {} : { trustId }),
  };
}

function methodMask(methods: readonly AuthMethod[]): number {
  let mask = 0;
  for (const method of methods) {
    const bit = AUTH_METHODS.indexOf(method);
    if (bit < 0) throw new RangeError(`Unknown auth method "${String(method)}"`);
    mask |= 1 << bit;
  }
  if (mask === 0) throw new RangeError('A token needs at least one auth method');
  return mask;
}

function methodsOf(mask: number): AuthMethod[] {
  const methods = AUTH_METHODS.filter((_, bit) => (mask & (1 << bit)) !== 0);
  if (methods.length === 0 || mask >> AUTH_METHODS.length !== 0) throw new InvalidTokenPayload('bad methods');
  return methods;
}

function idEncoding(id: string): IdEncoding {
  if (HEX32.test(id)) return IdEncoding.Hex;
  if (UUID.test(id)) return IdEncoding.Uuid;
  if (BASE64URL22.test(id)) return IdEncoding.Base64url;
  return IdEncoding.Text;
}

function encodeId(id: string, encoding: IdEncoding): Buffer {
  switch (encoding) {
    case IdEncoding.Hex:
      return Buffer.from(id, 'hex');
    case IdEncoding.Uuid:
      return Buffer.from(id.replaceAll('-', ''), 'hex');
    case IdEncoding.Base64url:
      return Buffer.from(id, 'base64url');
    case IdEncoding.Text: {
      const text = Buffer.from(id, 'utf8');
      if (text.length > 255) throw new RangeError('An id longer than 255 bytes cannot be put in a token');
      return Buffer.concat([Buffer.from([text.length]), text]);
    }
  }
}

function encodeVarint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** Reads fields front to back; running past the end or stopping short is an invalid payload. */
class Reader {
  #offset = 0;
  constructor(private readonly bytes: Buffer) {}

  byte(): number {
    return this.#take(1)[0] ?? 0;
  }

  uint48(): number {
    return this.#take(6).readUIntBE(0, 6);
  }

  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 49; shift += 7) {
      const byte = this.byte();
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new InvalidTokenPayload('varint too long');
  }

  id(encoding: IdEncoding): string {
    switch (encoding) {
      case IdEncoding.Hex:
        return this.#take(16).toString('hex');
      case IdEncoding.Uuid: {
        const hex = this.#take(16).toString('hex');
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      }
      case IdEncoding.Base64url:
        return this.#take(16).toString('base64url');
      case IdEncoding.Text:
        return this.#take(this.byte()).toString('utf8');
    }
  }

  end(): void {
    if (this.#offset !== this.bytes.length) throw new InvalidTokenPayload('trailing bytes');
  }

  #take(count: number): Buffer {
    if (this.#offset + count > this.bytes.length) throw new InvalidTokenPayload('truncated');
    const slice = this.bytes.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    return slice;
  }
}
