import type { Options } from 'amqplib';

/** A RabbitMQ endpoint from an oslo-style transport_url, ready for amqplib. */
export interface AmqpEndpoint {
  readonly connect: Options.Connect;
  /** The URL with its password masked, for messages and logs. */
  readonly display: string;
}

const SCHEMES = new Set(['rabbit:', 'amqp:']);
const DEFAULT_PORT = 5672;
/** Seconds between heartbeats: a broker that vanishes without closing the socket is noticed within two. */
const HEARTBEAT_SECONDS = 10;

/**
 * Parses `rabbit://user:pass@host:port/vhost` (or `amqp://…`). The path is the vhost, `/` when
 * empty; a vhost called `/` inside a longer path is written `%2F`, as in oslo.messaging.
 */
export function parseAmqpUrl(url: string): AmqpEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Invalid message bus URL '${url}'`);
  }
  if (!SCHEMES.has(parsed.protocol)) throw new Error(`Message bus URL '${url}' is not rabbit:// or amqp://`);
  if (parsed.hostname === '') throw new Error(`Message bus URL '${url}' names no host`);
  const vhostPath = parsed.pathname.replace(/^\//, '');
  const password = decodeURIComponent(parsed.password);
  if (password !== '') parsed.password = '***';
  return {
    connect: {
      protocol: 'amqp',
      hostname: parsed.hostname.replace(/^\[|\]$/g, ''),
      port: parsed.port === '' ? DEFAULT_PORT : Number(parsed.port),
      username: parsed.username === '' ? 'guest' : decodeURIComponent(parsed.username),
      password: parsed.username === '' && password === '' ? 'guest' : password,
      // amqplib unescapes the vhost itself.
      vhost: vhostPath === '' ? '/' : vhostPath,
      heartbeat: HEARTBEAT_SECONDS,
    },
    display: parsed.toString(),
  };
}
