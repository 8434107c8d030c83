import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { RABBIT_URL } from './rabbitmq.js';

/**
 * A TCP relay to the test broker that can be taken down and brought back on the same port: a
 * RabbitMQ outage for the connections made through it alone (the shared broker and everyone
 * else's connections stay up). Point a transport URL at `url` after `up()`.
 */
export class BrokerRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** While set, what clients send is dropped: written by them, never read by the broker (a dying link). */
  blackhole = false;

  /** The broker's URL through the relay (the test broker's credentials and vhost). */
  get url(): string {
    const url = new URL(RABBIT_URL);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Listens (again, on the same port once one was chosen). */
  async up(): Promise<void> {
    const broker = new URL(RABBIT_URL);
    const brokerPort = Number(broker.port || 5672);
    const server = createServer((client) => {
      const upstream = createConnection(brokerPort, broker.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => this.sockets.delete(socket));
      }
      client.on('data', (chunk: Buffer) => {
        if (!this.blackhole) upstream.write(chunk);
      });
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('the relay has no TCP address');
    this.port = address.port;
    this.server = server;
  }

  /** Cuts every connection through it and stops listening: the broker is unreachable. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
