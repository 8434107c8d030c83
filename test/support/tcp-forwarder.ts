/**
 * A TCP forwarder from an address of the multi-host harness's test bridge to a service that
 * listens on loopback only (RabbitMQ, PostgreSQL): the hosts' namespaces cannot reach the
 * machine's 127.0.0.1, so they connect to the bridge address instead. Connections from outside
 * the bridge's subnet are refused, so nothing beyond the test bridge gains a way in.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

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

/**
 * A relay on a free loopback port to `targetHost:targetPort` whose link can stall: while stalled
 * it reads nothing from either side (a new connection is accepted but hears nothing), as when a
 * network drops every packet; resumed, what was held flows on, as TCP retransmits it once the
 * link heals. The target's other clients are untouched.
 */
export class StallingRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private stalled = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
        if (this.stalled) socket.pause();
      }
      this.forward(client, upstream);
      this.forward(upstream, client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('the relay has no TCP address');
    this.port = address.port;
    this.server = server;
  }

  /** As pipe(), but a drained destination never resumes a source the stall paused. */
  private forward(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => {
          if (!this.stalled) from.resume();
        });
      }
    });
  }

  stall(): void {
    this.stalled = true;
    for (const socket of this.sockets) socket.pause();
  }

  resume(): void {
    this.stalled = false;
    for (const socket of this.sockets) socket.resume();
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
