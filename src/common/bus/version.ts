/** RPC API versions, 'major.minor', with oslo.messaging's compatibility rule. */
export interface RpcVersion {
  readonly major: number;
  readonly minor: number;
}

const VERSION = /^(\d+)\.(\d+)$/;

export function parseVersion(text: string): RpcVersion | undefined {
  const match = VERSION.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/** Parses a version given in code (a client's or a server's); a malformed one is a programming error. */
export function requireVersion(text: string): RpcVersion {
  const version = parseVersion(text);
  if (!version) throw new Error(`RPC version must be 'major.minor', got '${text}'`);
  return version;
}

/** A server accepts a message of the same major version whose minor is not newer than its own. */
export function canHandle(server: RpcVersion, message: RpcVersion): boolean {
  return server.major === message.major && server.minor >= message.minor;
}
