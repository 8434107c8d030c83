/**
 * A TCP forwarder from an address of the multi-host harness's test bridge to a service that
 * listens on loopback only (RabbitMQ, PostgreSQL): the hosts' namespaces cannot reach the
 * machine's 127.0.0.1, so they connect to the bridge address instead. Connections from outside
 * the bridge's subnet are refused, so nothing beyond the test bridge gains a way in.
 */
import { connect, createServer, type Server } from 'node:net';

export interface Forward {
  readonly listenHost: string;
  readonly listenPort: number;
  readonly targetHost: string;
  readonly targetPort: number;
}

/** `10.251.7.1:5672=127.0.0.1:5672`, as the harness passes a forward on a command line. */
export function parseForward(text: string): Forward {
  const match = /^([0-9.]+):(\d+)=([0-9.]+):(\d+)$/.exec(text);
  if (match === null) throw new Error(`expected LISTEN_IP:PORT=TARGET_IP:PORT, got "${text}"`);
  return { listenHost: match[1] ?? '', listenPort: Number(match[2]), targetHost: match[3] ?? '', targetPort: Number(match[4]) };
}

export const formatForward = (forward: Forward): string => `${forward.listenHost}:${forward.listenPort}=${forward.targetHost}:${forward.targetPort}`;

/** Listens and pipes each accepted connection (from an address starting with `allowedPrefix`) to the target. */
export function startForward(forward: Forward, allowedPrefix: string): Promise<Server> {
  const server = createServer((client) => {
    const from = client.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    if (!from.startsWith(allowedPrefix)) {
      client.destroy();
      return;
    }
    const upstream = connect(forward.targetPort, forward.targetHost);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(forward.listenPort, forward.listenHost, () => resolve(server));
  });
}
