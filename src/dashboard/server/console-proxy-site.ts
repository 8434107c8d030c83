/**
 * The console proxy (nova-novncproxy's role) at /novnc on the cloud's listener: the noVNC page
 * console URLs open (`vnc_lite.html`, built with the dashboard) and its websocket, which takes
 * the URL's token once and then carries bytes both ways between the browser and the guest's VNC
 * unix socket. A wrong, used or expired token is 401 before the upgrade: no byte of any console.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { newRequestId, runWithContext } from '../../common/context/request-context.js';
import type { WebSite } from '../../common/http/web-site.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ConsoleAuth } from '../../compute/console/console-auth.js';

const LOG = getLogger('nimbus.console.proxy');

/** The page console URLs name (Nova's default is noVNC's vnc_auto.html; ours is noVNC's lite page, made here). */
export const CONSOLE_PAGE = 'vnc_lite.html';

/** How long the guest's VNC socket may take to accept before the browser is told it is unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;

export interface ConsoleProxyOptions {
  readonly consoleAuth: Pick<ConsoleAuth, 'consume'>;
  /** The dashboard's build, which holds the console page (DASHBOARD_BUILD_DIR). */
  readonly buildDir: string;
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Nova's origin check: a page elsewhere may not drive a console with a token it got hold of. */
function originAllowed(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** Opens the guest's VNC socket; rejects when nothing accepts on it in time. */
function openVnc(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const vnc = connect(path);
    const timer = setTimeout(() => vnc.destroy(new Error(`no answer in ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    vnc.once('connect', () => {
      clearTimeout(timer);
      resolve(vnc);
    });
    vnc.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Bytes both ways until either side closes; then the other is closed too. */
function bridge(browser: WebSocket, vnc: Socket): void {
  vnc.on('data', (chunk) => browser.send(chunk));
  browser.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    vnc.write(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer));
  });
  vnc.on('close', () => browser.close());
  vnc.on('error', () => browser.close());
  browser.on('close', () => vnc.destroy());
  browser.on('error', () => vnc.destroy());
}

export function consoleProxySite(options: ConsoleProxyOptions): WebSite {
  const sockets = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false) });

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const token = new URL(request.url ?? '/', 'http://console').searchParams.get('token');
    if (!originAllowed(request)) {
      LOG.warning(`Console connection refused: origin ${request.headers.origin ?? ''} is not ${request.headers.host ?? ''}`);
      return refuse(socket, '403 Forbidden');
    }
    const target = token === null || token === '' ? undefined : await options.consoleAuth.consume(token);
    if (target === undefined) {
      LOG.info('Console connection refused: the token is invalid, used or expired');
      return refuse(socket, '401 Unauthorized');
    }
    const instance = target.instance_uuid;
    if (target.internal_access_path === null) return refuse(socket, '503 Service Unavailable');
    let vnc: Socket;
    try {
      vnc = await openVnc(target.internal_access_path);
    } catch (error) {
      // Scaled out, a guest's socket is on its own host: this node reaches only the guests it runs.
      LOG.warning(`Console of host ${target.host} is not reachable from this node: ${(error as Error).message}`, { instance });
      return refuse(socket, '503 Service Unavailable');
    }
    sockets.handleUpgrade(request, socket, head, (browser) => {
      LOG.info(`Console connected on host ${target.host}`, { instance });
      bridge(browser, vnc);
      browser.once('close', () => LOG.info('Console closed', { instance }));
    });
  }

  return {
    name: 'console-proxy',
    prefix: '/novnc',
    routes: async (app) => {
      let page: Buffer | undefined;
      app.get(`/${CONSOLE_PAGE}`, async (_request, reply) => {
        page ??= await readFile(join(options.buildDir, CONSOLE_PAGE)).catch(() => undefined);
        if (page === undefined) return reply.code(503).type('text/plain; charset=utf-8').send('The console page is not built: run `node scripts/build-dashboard.mjs`.\n');
        // The page names the current bundle (under /dashboard/assets/): revalidate it every time.
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(page);
      });
    },
    upgrade: (request, socket, head) => {
      socket.on('error', () => socket.destroy());
      // The proxy's own log lines carry a request id, as an API request's do.
      runWithContext({ requestId: newRequestId() }, () => {
        upgrade(request, socket, head).catch((error: unknown) => {
          LOG.error('Console connection failed', { error });
          refuse(socket, '500 Internal Server Error');
        });
      });
    },
  };
}
